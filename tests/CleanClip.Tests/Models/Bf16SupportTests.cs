using CleanClip.Models;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Models;

/// <summary>bf16 on a CPU without native bf16 falls back to fp32 with a note unless forced; the CPU flags are injected.</summary>
public class Bf16SupportTests
{
    private const string WithBf16 = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 amx_tile\n\nprocessor\t: 1\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 amx_tile\n";
    private const string WithAmx = "processor\t: 0\nflags\t\t: fpu avx512f amx_bf16 amx_tile\n";
    // avx512_bf16 only in a line that is not a flags line, and a flag that merely contains the name: neither counts.
    private const string Without = "processor\t: 0\nmodel name\t: avx512_bf16 lookalike\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16x\n";

    [Fact]
    public void NativeBf16IsReadFromTheFlagsLines()
    {
        Assert.True(Bf16Support.NativeOnCpu(WithBf16));
        Assert.True(Bf16Support.NativeOnCpu(WithAmx));
        Assert.False(Bf16Support.NativeOnCpu(Without));
    }

    [Fact]
    public void Bf16WithoutNativeSupportFallsBackToFp32WithANoteUnlessForced()
    {
        Assert.Equal(Precision.Fp32, Bf16Support.Choose(Precision.Bf16, force: false, DeviceType.CPU, Without, out var note));
        Assert.Contains("running in Fp32", note);
        Assert.Contains("--force-bf16", note);

        Assert.Equal(Precision.Bf16, Bf16Support.Choose(Precision.Bf16, force: true, DeviceType.CPU, Without, out note));
        Assert.Contains("slower than fp32", note);
    }

    [Fact]
    public void NothingChangesWithNativeBf16OnCudaForFp32OrWithoutCpuInfo()
    {
        Assert.Equal(Precision.Bf16, Bf16Support.Choose(Precision.Bf16, false, DeviceType.CPU, WithBf16, out var note));
        Assert.Null(note);
        Assert.Equal(Precision.Bf16, Bf16Support.Choose(Precision.Bf16, false, DeviceType.CUDA, Without, out note));
        Assert.Null(note);
        Assert.Equal(Precision.Fp32, Bf16Support.Choose(Precision.Fp32, false, DeviceType.CPU, Without, out note));
        Assert.Null(note);
        Assert.Equal(Precision.Bf16, Bf16Support.Choose(Precision.Bf16, false, DeviceType.CPU, null, out note));
        Assert.Null(note);
    }
}
