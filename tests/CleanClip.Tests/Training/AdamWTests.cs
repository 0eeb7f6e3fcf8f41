using CleanClip.Data;
using CleanClip.Optimization;
using TorchSharp;
using Xunit;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CleanClip.Tests.Training;

public class AdamWTests
{
    private static Tensor Fixture(string name) => NpyFile.Read(TestPaths.Fixture("adamw", $"{name}.npy"));

    private static (AdamWOptimizer Optimizer, Parameter W, Parameter B) Make()
    {
        var w = new Parameter(Fixture("w0"));
        var b = new Parameter(Fixture("b0"));
        var optimizer = new AdamWOptimizer(new[] { new AdamWOptimizer.Group(new[] { ("w", w) }, 0.1), new AdamWOptimizer.Group(new[] { ("b", b) }, 0) },
            beta1: 0.9, beta2: 0.98, epsilon: 1e-6);
        return (optimizer, w, b);
    }

    private static readonly double[] Rates = { 1e-2, 5e-3, 2e-2, 1e-3 };

    private static void Run(AdamWOptimizer optimizer, Parameter w, Parameter b, int from, int to)
    {
        for (int step = from; step < to; step++)
        {
            optimizer.SetLearningRate(Rates[step]);
            w.grad = Fixture($"gw{step}");
            b.grad = Fixture($"gb{step}");
            optimizer.Step();
        }
    }

    [Fact]
    public void MatchesTorchAdamWOverFourSteps()
    {
        using var scope = NewDisposeScope();
        var (optimizer, w, b) = Make();
        Run(optimizer, w, b, 0, 4);
        Assert.True(w.allclose(Fixture("w4"), rtol: 1e-6, atol: 1e-7), $"max |diff| {(w - Fixture("w4")).abs().max().item<float>()}");
        Assert.True(b.allclose(Fixture("b4"), rtol: 1e-6, atol: 1e-7), $"max |diff| {(b - Fixture("b4")).abs().max().item<float>()}");
        Assert.True(optimizer.StateByName["w"].SquaredAverage.allclose(Fixture("w4_exp_avg_sq"), rtol: 1e-6, atol: 1e-9));
        Assert.Equal(4, optimizer.StateByName["b"].Step);
    }

    [Fact]
    public void SavedAndRestoredStateContinuesBitIdentically()
    {
        using var scope = NewDisposeScope();
        var (straight, w1, b1) = Make();
        Run(straight, w1, b1, 0, 4);

        var (first, w2, b2) = Make();
        Run(first, w2, b2, 0, 2);
        var saved = first.ToTensors("optimizer.").ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var (second, w3, b3) = Make();
        using (no_grad()) { w3.copy_(w2); b3.copy_(b2); }
        second.LoadTensors(saved, "optimizer.", "test");
        Run(second, w3, b3, 2, 4);
        Assert.True(w3.equal(w1).all().item<bool>());
        Assert.True(b3.equal(b1).all().item<bool>());
    }

    [Fact]
    public void StateForAnUnknownParameterIsRejected()
    {
        using var scope = NewDisposeScope();
        var (optimizer, _, _) = Make();
        var state = new Dictionary<string, Tensor>
        {
            ["optimizer.nope.step"] = tensor(3L),
            ["optimizer.nope.exp_avg"] = zeros(2),
            ["optimizer.nope.exp_avg_sq"] = zeros(2),
        };
        var error = Assert.Throws<InvalidDataException>(() => optimizer.LoadTensors(state, "optimizer.", "ckpt.safetensors"));
        Assert.Contains("'nope'", error.Message);
        Assert.Contains("ckpt.safetensors", error.Message);
    }
}
