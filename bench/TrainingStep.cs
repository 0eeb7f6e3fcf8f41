using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Bench;

/// <summary>
/// A stand-in for a training step: repeated fp32 matmuls on LibTorch's intra-op threads, sized to take a given time
/// when run alone, so a pipeline's decode threads compete with it for the cores as they would with a real model.
/// </summary>
internal sealed class TrainingStep : IDisposable
{
    private readonly Tensor _a, _b;
    private readonly int _matmuls;

    public double Seconds { get; }

    private TrainingStep(int matmuls, double seconds)
    {
        _a = randn(512, 512);
        _b = randn(512, 512);
        _matmuls = matmuls;
        Seconds = seconds;
    }

    public static TrainingStep Calibrate(double targetSeconds)
    {
        using var probe = new TrainingStep(20, 0);
        var perMatmul = MedianSeconds(probe) / 20;
        var matmuls = Math.Max(1, (int)Math.Round(targetSeconds / perMatmul));
        using var sized = new TrainingStep(matmuls, 0);
        return new TrainingStep(matmuls, MedianSeconds(sized));
    }

    private static double MedianSeconds(TrainingStep step)
    {
        step.Run(null);
        var times = new double[5];
        for (var i = 0; i < times.Length; i++)
        {
            var watch = Stopwatch.StartNew();
            step.Run(null);
            times[i] = watch.Elapsed.TotalSeconds;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }

    public void Run(Data.Pipeline.Batch? batch)
    {
        using var scope = NewDisposeScope();
        var x = _a;
        for (var i = 0; i < _matmuls; i++) x = x.mm(_b).tanh_();
        // Touch the batch too, as a model's first layer would.
        batch?[Data.Pipeline.ImagePipeline.Images].to(ScalarType.Float32).mean().item<float>();
        x.sum().item<float>();
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }
}
