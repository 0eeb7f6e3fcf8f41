using CleanClip.Data;

namespace CleanClip.Training.Augmentation;

/// <summary>
/// torchvision's <c>transforms.AutoAugment()</c> with its defaults (ImageNet policy, NEAREST, black fill) on a PIL RGB
/// image — the reference's image augmentation for the in-modal loss (docs/reference-behaviour.md §6.1). Per call: one
/// of the 25 sub-policies uniformly; for each of its two steps u ~ U[0,1) and a sign bit are drawn (all four draws up
/// front, like torchvision's <c>get_params</c>), the step fires when u &lt;= p, and a signed magnitude is negated when
/// its bit is 0. The ops are PIL's own arithmetic (<see cref="PilOps"/>, <see cref="PilGeometry"/>).
/// <para>
/// Difference from the reference: it augments the raw image and then resizes/crops it; the pipeline here hands us the
/// already resized R×R uint8 image, so the ops (the translate and rotate geometry in particular) act at that size.
/// </para>
/// The random numbers come from <see cref="SplitMix64"/>, not torch's generator: same distribution, other draws.
/// Stateless, so one instance serves all threads.
/// </summary>
public sealed class AutoAugment : IImageAugmentation
{
    public static AutoAugment ImageNet { get; } = new();

    public string Name => "autoaugment";

    public RgbImage Apply(RgbImage image, ulong seed) => Apply(image, Sample(seed));

    /// <summary>The draws of one call: the sub-policy index and, per step, u and whether the magnitude keeps its sign.</summary>
    public readonly record struct Draw(int SubPolicy, double U0, double U1, bool Positive0, bool Positive1);

    public static Draw Sample(ulong seed)
    {
        var random = new SplitMix64(seed);
        int subPolicy = random.NextInt(AutoAugmentPolicy.ImageNet.Count);
        double u0 = random.NextDouble(), u1 = random.NextDouble();
        bool positive0 = random.NextBool(0.5), positive1 = random.NextBool(0.5);
        return new Draw(subPolicy, u0, u1, positive0, positive1);
    }

    public static RgbImage Apply(RgbImage image, Draw draw)
    {
        var (first, second) = AutoAugmentPolicy.ImageNet[draw.SubPolicy];
        if (draw.U0 <= first.Probability) image = Apply(image, first, draw.Positive0);
        if (draw.U1 <= second.Probability) image = Apply(image, second, draw.Positive1);
        return image;
    }

    private static RgbImage Apply(RgbImage image, AutoAugmentStep step, bool positive)
    {
        double magnitude = step.Bin is int bin ? AutoAugmentPolicy.Magnitude(step.Op, bin, image.Width, image.Height) : 0.0;
        if (AutoAugmentPolicy.IsSigned(step.Op) && !positive) magnitude = -magnitude;
        return ApplyOp(image, step.Op, magnitude);
    }

    /// <summary>torchvision's <c>_apply_op</c> for a PIL image: one op at a given (signed) magnitude.</summary>
    public static RgbImage ApplyOp(RgbImage image, AutoAugmentOp op, double magnitude) => op switch
    {
        AutoAugmentOp.ShearX => PilGeometry.ShearX(image, magnitude),
        AutoAugmentOp.ShearY => PilGeometry.ShearY(image, magnitude),
        AutoAugmentOp.TranslateX => PilGeometry.TranslateX(image, magnitude),
        AutoAugmentOp.TranslateY => PilGeometry.TranslateY(image, magnitude),
        AutoAugmentOp.Rotate => PilGeometry.Rotate(image, magnitude),
        AutoAugmentOp.Brightness => PilOps.Brightness(image, 1.0 + magnitude),
        AutoAugmentOp.Color => PilOps.Color(image, 1.0 + magnitude),
        AutoAugmentOp.Contrast => PilOps.Contrast(image, 1.0 + magnitude),
        AutoAugmentOp.Sharpness => PilOps.Sharpness(image, 1.0 + magnitude),
        AutoAugmentOp.Posterize => PilOps.Posterize(image, (int)magnitude),
        AutoAugmentOp.Solarize => PilOps.Solarize(image, magnitude),
        AutoAugmentOp.AutoContrast => PilOps.AutoContrast(image),
        AutoAugmentOp.Equalize => PilOps.Equalize(image),
        AutoAugmentOp.Invert => PilOps.Invert(image),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "unknown AutoAugment op"),
    };
}
