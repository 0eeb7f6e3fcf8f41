using System.Diagnostics;
using CleanClip.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Bench;

/// <summary>
/// The machine's matrix-multiply peak through this LibTorch build: GFLOP/s of a 4096² × 4096² product (median of 5
/// after a warm-up). A model step's achieved GFLOP/s is reported as a fraction of this number measured in the same run.
/// </summary>
internal static class GemmBench
{
    public static double Gflops(int threads, ScalarType dtype = ScalarType.Float32, int n = 4096)
    {
        TorchDevice.SetThreads(threads);
        // LibTorch's bf16 matmul goes through oneDNN; fp32 through its BLAS either way.
        bool oneDnn = TorchRuntime.OneDnnEnabled;
        TorchRuntime.SetOneDnn(true);
        try { return Measure(dtype, n); }
        finally { TorchRuntime.SetOneDnn(oneDnn); }
    }

    private static double Measure(ScalarType dtype, int n)
    {
        using var a = randn(n, n).to(dtype);
        using var b = randn(n, n).to(dtype);
        var times = new List<double>();
        for (int i = 0; i < 6; i++)
        {
            var watch = Stopwatch.StartNew();
            using (var c = a.mm(b)) using (var s = c.sum().to(ScalarType.Float32)) s.item<float>();
            if (i > 0) times.Add(watch.Elapsed.TotalSeconds);
        }
        times.Sort();
        return 2.0 * n * n * n / times[times.Count / 2] / 1e9;
    }
}
