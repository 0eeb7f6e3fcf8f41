using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Models;

/// <summary>Chooses the compute device at run time, so the same build uses CUDA where a CUDA LibTorch is installed.</summary>
public static class TorchDevice
{
    /// <param name="requested">"auto" (CUDA when available, else CPU), "cpu", "cuda" or "cuda:N".</param>
    public static Device Choose(string requested = "auto")
    {
        switch (requested.Trim().ToLowerInvariant())
        {
            case "auto":
                return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
            case "cpu":
                return torch.CPU;
            case var cuda when cuda.StartsWith("cuda", StringComparison.Ordinal):
                if (!torch.cuda.is_available())
                    throw new InvalidOperationException(
                        $"device '{requested}' was requested but CUDA is not available: build with -p:TorchBackend=cuda on a machine with an NVIDIA driver, or use --device cpu");
                return torch.device(cuda);
            default:
                throw new ArgumentException($"unknown device '{requested}'; expected auto, cpu, cuda or cuda:N");
        }
    }

    /// <summary>Sets LibTorch's intra-op threads; 0 keeps its default (one per core).</summary>
    public static void SetThreads(int threads)
    {
        if (threads > 0) torch.set_num_threads(threads);
    }
}
