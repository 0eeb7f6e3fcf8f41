using static TorchSharp.torch;

namespace CleanClip.Models;

/// <summary>The number format a model computes in; parameters, gradients and optimizer state stay fp32 either way.</summary>
public enum Precision
{
    /// <summary>Everything in fp32.</summary>
    Fp32,
    /// <summary>
    /// Convolutions, linear layers and matrix products in bfloat16 through LibTorch's autocast (<see cref="TowerCompute"/>;
    /// much faster with AVX512-BF16/AMX and oneDNN: docs/experiments/runtime-settings.md); normalisation statistics, the
    /// loss and the weights stay fp32.
    /// </summary>
    Bf16,
}

public static class PrecisionExtensions
{
    /// <summary>The activation type of a precision, or null for "whatever the parameters are" (fp32 here).</summary>
    public static ScalarType? ComputeType(this Precision precision) =>
        precision == Precision.Bf16 ? ScalarType.BFloat16 : null;
}
