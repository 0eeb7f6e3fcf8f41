using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Models;

/// <summary>
/// How a <see cref="ClipModel"/>'s towers compute, decided in this one place: <see cref="ClipModel.EncodeImage"/> and
/// <see cref="ClipModel.EncodeText"/> open these scopes around their tower, and no layer knows about either setting.
/// <list type="bullet">
/// <item>Precision: <see cref="Precision.Bf16"/> opens an <see cref="Autocast"/> scope (convolutions, linear layers
/// and matrix products in bf16, weights and gradients fp32); fp32 opens none.</item>
/// <item>The CPU convolution backend: oneDNN on or off for the model about to run its image tower
/// (<see cref="TorchRuntime.UseOneDnnFor"/>).</item>
/// </list>
/// One exception to bf16, on the CPU only: a ResNet too narrow for oneDNN (see <see cref="TorchRuntime.OneDnnMinChannels"/>)
/// computes its image tower in fp32, because LibTorch's own bf16 convolution is slower there than its fp32 one
/// (docs/experiments/runtime-settings.md); its text tower still computes in bf16.
/// </summary>
public static class TowerCompute
{
    public static Autocast ForImageTower(ClipConfig config, Precision precision, DeviceType device)
    {
        TorchRuntime.UseOneDnnFor(config);
        return Autocast.Enter(device, ImageTowerStaysFp32(config, device) ? null : precision.ComputeType());
    }

    public static Autocast ForTextTower(Precision precision, DeviceType device) => Autocast.Enter(device, precision.ComputeType());

    /// <summary>Whether <paramref name="config"/>'s image tower computes in fp32 on <paramref name="device"/> whatever the precision.</summary>
    public static bool ImageTowerStaysFp32(ClipConfig config, DeviceType device) =>
        TorchRuntime.CpuOnlyPathApplies(device) && !TorchRuntime.OneDnnChosenFor(config);
}
