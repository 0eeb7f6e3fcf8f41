namespace CleanClip.Training.Augmentation;

/// <summary>The 14 operations of torchvision's AutoAugment search space.</summary>
public enum AutoAugmentOp
{
    ShearX, ShearY, TranslateX, TranslateY, Rotate, Brightness, Color, Contrast, Sharpness,
    Posterize, Solarize, AutoContrast, Equalize, Invert,
}

/// <summary>One step of a sub-policy: the op fires when u ~ U[0,1) is <c>&lt;= Probability</c>; <c>Bin</c> is the magnitude
/// index (0–9), or null for ops without a magnitude.</summary>
public sealed record AutoAugmentStep(AutoAugmentOp Op, double Probability, int? Bin);

/// <summary>
/// The ImageNet AutoAugment policy (Cubuk et al. 2019) exactly as torchvision lists it
/// (transforms/autoaugment.py, <c>AutoAugmentPolicy.IMAGENET</c>; docs/reference-behaviour.md §6.1), and torchvision's
/// 10-bin magnitudes, computed with <c>torch.linspace</c>'s float32 arithmetic so that e.g. Solarize bin 5 is the
/// same 113.33334 threshold and Color bin 1 the same 0.099999994.
/// </summary>
public static class AutoAugmentPolicy
{
    public const int Bins = 10;

    public static IReadOnlyList<(AutoAugmentStep First, AutoAugmentStep Second)> ImageNet { get; } =
    [
        (S(AutoAugmentOp.Posterize, 0.4, 8), S(AutoAugmentOp.Rotate, 0.6, 9)),
        (S(AutoAugmentOp.Solarize, 0.6, 5), S(AutoAugmentOp.AutoContrast, 0.6)),
        (S(AutoAugmentOp.Equalize, 0.8), S(AutoAugmentOp.Equalize, 0.6)),
        (S(AutoAugmentOp.Posterize, 0.6, 7), S(AutoAugmentOp.Posterize, 0.6, 6)),
        (S(AutoAugmentOp.Equalize, 0.4), S(AutoAugmentOp.Solarize, 0.2, 4)),
        (S(AutoAugmentOp.Equalize, 0.4), S(AutoAugmentOp.Rotate, 0.8, 8)),
        (S(AutoAugmentOp.Solarize, 0.6, 3), S(AutoAugmentOp.Equalize, 0.6)),
        (S(AutoAugmentOp.Posterize, 0.8, 5), S(AutoAugmentOp.Equalize, 1.0)),
        (S(AutoAugmentOp.Rotate, 0.2, 3), S(AutoAugmentOp.Solarize, 0.6, 8)),
        (S(AutoAugmentOp.Equalize, 0.6), S(AutoAugmentOp.Posterize, 0.4, 6)),
        (S(AutoAugmentOp.Rotate, 0.8, 8), S(AutoAugmentOp.Color, 0.4, 0)),
        (S(AutoAugmentOp.Rotate, 0.4, 9), S(AutoAugmentOp.Equalize, 0.6)),
        (S(AutoAugmentOp.Equalize, 0.0), S(AutoAugmentOp.Equalize, 0.8)),
        (S(AutoAugmentOp.Invert, 0.6), S(AutoAugmentOp.Equalize, 1.0)),
        (S(AutoAugmentOp.Color, 0.6, 4), S(AutoAugmentOp.Contrast, 1.0, 8)),
        (S(AutoAugmentOp.Rotate, 0.8, 8), S(AutoAugmentOp.Color, 1.0, 2)),
        (S(AutoAugmentOp.Color, 0.8, 8), S(AutoAugmentOp.Solarize, 0.8, 7)),
        (S(AutoAugmentOp.Sharpness, 0.4, 7), S(AutoAugmentOp.Invert, 0.6)),
        (S(AutoAugmentOp.ShearX, 0.6, 5), S(AutoAugmentOp.Equalize, 1.0)),
        (S(AutoAugmentOp.Color, 0.4, 0), S(AutoAugmentOp.Equalize, 0.6)),
        (S(AutoAugmentOp.Equalize, 0.4), S(AutoAugmentOp.Solarize, 0.2, 4)),
        (S(AutoAugmentOp.Solarize, 0.6, 5), S(AutoAugmentOp.AutoContrast, 0.6)),
        (S(AutoAugmentOp.Invert, 0.6), S(AutoAugmentOp.Equalize, 1.0)),
        (S(AutoAugmentOp.Color, 0.6, 4), S(AutoAugmentOp.Contrast, 1.0, 8)),
        (S(AutoAugmentOp.Equalize, 0.8), S(AutoAugmentOp.Equalize, 0.6)),
    ];

    private static readonly float[] Shear = TorchLinspace(0f, 0.3f, Bins);
    private static readonly float[] Degrees = TorchLinspace(0f, 30f, Bins);
    private static readonly float[] Enhance = TorchLinspace(0f, 0.9f, Bins);
    private static readonly float[] Threshold = TorchLinspace(255f, 0f, Bins);

    /// <summary>Whether torchvision negates the op's magnitude with probability ½.</summary>
    public static bool IsSigned(AutoAugmentOp op) => op <= AutoAugmentOp.Sharpness;

    /// <summary>
    /// torchvision's <c>_augmentation_space(10, [width, height])[op][bin]</c> as the double its <c>.item()</c> gives:
    /// Shear linspace(0, 0.3), Translate linspace(0, 150/331·size) (TranslateX uses the width, TranslateY the height),
    /// Rotate linspace(0, 30), Brightness/Color/Contrast/Sharpness linspace(0, 0.9) (the op uses 1 + m),
    /// Posterize 8 − round(bin/2.25), Solarize linspace(255, 0); 0 for AutoContrast, Equalize, Invert.
    /// </summary>
    public static double Magnitude(AutoAugmentOp op, int bin, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bin);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bin, Bins);
        return op switch
        {
            AutoAugmentOp.ShearX or AutoAugmentOp.ShearY => Shear[bin],
            AutoAugmentOp.TranslateX => TorchLinspace(0f, (float)(150.0 / 331.0 * width), Bins)[bin],
            AutoAugmentOp.TranslateY => TorchLinspace(0f, (float)(150.0 / 331.0 * height), Bins)[bin],
            AutoAugmentOp.Rotate => Degrees[bin],
            AutoAugmentOp.Brightness or AutoAugmentOp.Color or AutoAugmentOp.Contrast or AutoAugmentOp.Sharpness => Enhance[bin],
            // torch: (arange(10) / (9 / 4)).round() — float32 division, round half to even.
            AutoAugmentOp.Posterize => 8 - (int)MathF.Round(bin / 2.25f, MidpointRounding.ToEven),
            AutoAugmentOp.Solarize => Threshold[bin],
            _ => 0.0,
        };
    }

    /// <summary>
    /// <c>torch.linspace(start, end, steps)</c> for float32 on the CPU: step = (end − start)/(steps − 1) in float32, the
    /// first half counted up from start (start + step·i), the second half down from end (end − step·(steps − 1 − i)).
    /// </summary>
    public static float[] TorchLinspace(float start, float end, int steps)
    {
        var values = new float[steps];
        if (steps == 1)
        {
            values[0] = start;
            return values;
        }
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        for (int i = 0; i < steps; i++)
            values[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
        return values;
    }

    private static AutoAugmentStep S(AutoAugmentOp op, double probability, int? bin = null) => new(op, probability, bin);
}
