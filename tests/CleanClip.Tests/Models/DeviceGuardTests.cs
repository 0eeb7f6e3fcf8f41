using CleanClip.Models;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Models;

/// <summary>
/// Every device-dependent decision, for every LibTorch device type: the CPU-only action is taken for
/// <see cref="DeviceType.CPU"/> and for no other, so <c>--device cuda</c> never runs code written for the CPU's kernels.
/// The process-wide switches (oneDNN, NNPACK, malloc, OpenMP) are CPU-backend or host settings that no CUDA kernel
/// reads (TorchRuntime's summary); the decisions below are the ones that change what a model computes.
/// </summary>
public class DeviceGuardTests
{
    public static TheoryData<DeviceType> AllDeviceTypes() => new(Enum.GetValues<DeviceType>().Distinct());

    // No avx512_bf16 / amx_bf16: on a CPU, bf16 would fall back to fp32.
    private const string CpuWithoutBf16 = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f\n";

    [Theory]
    [MemberData(nameof(AllDeviceTypes))]
    public void TheGuardOpensOnlyForTheCpu(DeviceType device) =>
        Assert.Equal(device == DeviceType.CPU, TorchRuntime.CpuOnlyPathApplies(device));

    [Theory]
    [MemberData(nameof(AllDeviceTypes))]
    public void TheBf16FallbackIsTakenOnlyOnTheCpu(DeviceType device)
    {
        var chosen = Bf16Support.Choose(Precision.Bf16, force: false, device, CpuWithoutBf16, out var note);
        if (device == DeviceType.CPU)
        {
            Assert.Equal(Precision.Fp32, chosen);
            Assert.NotNull(note);
        }
        else
        {
            Assert.Equal(Precision.Bf16, chosen);
            Assert.Null(note);
        }
    }

    // A narrow ResNet's image tower stays fp32 under bf16 only on the CPU (LibTorch's slow bf16 convolution without
    // oneDNN); a model wide enough for oneDNN never does. Unless CLEANCLIP_ONEDNN forces the backend for this process.
    [SkippableTheory]
    [MemberData(nameof(AllDeviceTypes))]
    public void TheFp32ImageTowerIsTakenOnlyOnTheCpu(DeviceType device)
    {
        Skip.If(TorchRuntime.ForcedOneDnn is not null, $"{TorchRuntime.OneDnnVariable} forces oneDNN in this process");
        Assert.Equal(device == DeviceType.CPU, TowerCompute.ImageTowerStaysFp32(ModelRegistry.Get("demo-rn"), device));
        Assert.False(TowerCompute.ImageTowerStaysFp32(ModelRegistry.Get("RN50"), device));
        Assert.False(TowerCompute.ImageTowerStaysFp32(ModelRegistry.Get("tiny-vit"), device));
    }

    [SkippableFact]
    public void AskingForCudaWithoutItIsOneClearLine()
    {
        Skip.If(torch.cuda.is_available(), "CUDA is available here");
        var error = Assert.Throws<InvalidOperationException>(() => TorchDevice.Choose("cuda"));
        Assert.Contains("CUDA is not available", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(DeviceType.CPU, TorchDevice.Choose("auto").type);
    }
}
