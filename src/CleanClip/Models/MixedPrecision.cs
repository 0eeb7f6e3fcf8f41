using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CleanClip.Models;

/// <summary>
/// Hand-written autocast (TorchSharp has none): every layer computes in its input's type, casting its fp32 weight to
/// that type on the way in. The cast is part of the autograd graph, so the backward pass hands fp32 gradients to the
/// fp32 parameters (the "master weights") and the optimizer never sees a bf16 number. With fp32 input nothing is cast.
/// </summary>
internal static class MixedPrecision
{
    /// <summary><paramref name="weight"/> in <paramref name="input"/>'s type (the same tensor when it already is).</summary>
    public static Tensor Like(Tensor weight, Tensor input) =>
        weight.dtype == input.dtype ? weight : weight.to(input.dtype);

    public static Tensor Linear(Linear layer, Tensor input) =>
        layer.weight!.dtype == input.dtype
            ? layer.forward(input)
            : nn.functional.linear(input, Like(layer.weight, input), layer.bias is null ? null : Like(layer.bias, input));

    /// <remarks>
    /// Without oneDNN (models with convolutions under <see cref="TorchRuntime.OneDnnMinChannels"/> channels, see
    /// TorchRuntime) LibTorch's bf16 convolution is a slow generic path, more than twice as slow as the same convolution
    /// in fp32 (docs/experiments/runtime-settings.md).
    /// So there (on the CPU; CUDA has fast bf16 convolutions) the convolution runs in fp32 and only its output is
    /// rounded to the activation type.
    /// </remarks>
    public static Tensor Conv(Conv2d conv, Tensor input) =>
        conv.weight!.dtype == input.dtype
            ? conv.forward(input)
            : ConvolutionsStayFp32(input.device_type) ? conv.forward(input.to(conv.weight.dtype)).to(input.dtype)
            : nn.functional.conv2d(input, Like(conv.weight, input), conv.bias is null ? null : Like(conv.bias, input),
                conv.stride, conv.padding, conv.dilation, conv.groups);

    /// <summary>Whether low-precision convolutions on <paramref name="device"/> fall back to fp32 (see <see cref="Conv"/>).</summary>
    public static bool ConvolutionsStayFp32(DeviceType device) => TorchRuntime.CpuOnlyPathApplies(device) && !TorchRuntime.OneDnnEnabled;
}
