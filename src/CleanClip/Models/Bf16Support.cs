using TorchSharp;

namespace CleanClip.Models;

/// <summary>
/// Whether <see cref="Precision.Bf16"/> pays off where it would run. On a CPU without native bf16 instructions
/// (<c>avx512_bf16</c> or <c>amx_bf16</c> among /proc/cpuinfo's flags) LibTorch emulates bf16 arithmetic and the model
/// computes slower than in fp32, so such a request falls back to fp32 with a note unless the user insists.
/// </summary>
public static class Bf16Support
{
    public const string CpuInfoPath = "/proc/cpuinfo";

    /// <summary>Whether a /proc/cpuinfo text lists a native bf16 instruction set on its flags lines.</summary>
    public static bool NativeOnCpu(string cpuinfo) =>
        cpuinfo.Split('\n').Where(line => line.StartsWith("flags", StringComparison.Ordinal))
            .Any(line => line.Split([' ', '\t', ':'], StringSplitOptions.RemoveEmptyEntries).Any(flag => flag is "avx512_bf16" or "amx_bf16"));

    /// <summary>This machine's /proc/cpuinfo, or null where there is none (then nothing is known about the CPU).</summary>
    public static string? ReadCpuInfo() => File.Exists(CpuInfoPath) ? File.ReadAllText(CpuInfoPath) : null;

    /// <summary>
    /// The precision to compute in: <paramref name="requested"/>, except bf16 on a CPU device whose
    /// <paramref name="cpuinfo"/> shows no native bf16, which becomes fp32 unless <paramref name="force"/>.
    /// </summary>
    /// <param name="note">What the user should be told (the fallback, or that a forced bf16 will be slow); null when nothing changes.</param>
    public static Precision Choose(Precision requested, bool force, DeviceType device, string? cpuinfo, out string? note)
    {
        note = null;
        if (requested != Precision.Bf16 || !TorchRuntime.CpuOnlyPathApplies(device) || cpuinfo is null || NativeOnCpu(cpuinfo)) return requested;
        const string why = "this CPU has no native bf16 (no avx512_bf16 or amx_bf16 in /proc/cpuinfo), so bf16 is emulated and slower than fp32";
        if (force)
        {
            note = $"--force-bf16: {why}";
            return requested;
        }
        note = $"--precision Bf16: {why}; running in Fp32 instead (pass --force-bf16 to insist)";
        return Precision.Fp32;
    }
}
