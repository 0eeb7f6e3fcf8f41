using System.Runtime.InteropServices;

namespace CleanClip.Models;

/// <summary>
/// The machine a measurement ran on, recorded beside every result a claim is made from: learning results change with
/// the CPU's kernels and with the thread count (both change the order of floating-point sums).
/// </summary>
/// <param name="CpuModel">/proc/cpuinfo's first "model name", or the OS description where there is none.</param>
/// <param name="LogicalCpus">Logical CPUs this process may use.</param>
/// <param name="TorchThreads">LibTorch's intra-op thread count.</param>
public sealed record MachineInfo(string CpuModel, int LogicalCpus, int TorchThreads, string Os)
{
    public static MachineInfo Current() =>
        new(CpuModelName() ?? RuntimeInformation.OSArchitecture.ToString(), Environment.ProcessorCount,
            TorchSharp.torch.get_num_threads(), RuntimeInformation.OSDescription);

    private static string? CpuModelName() =>
        Bf16Support.ReadCpuInfo()?.Split('\n').Where(line => line.StartsWith("model name", StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf(':') + 1)..].Trim()).FirstOrDefault();
}
