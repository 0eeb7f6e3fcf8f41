using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using BatchNorm2d = CleanClip.Models.BatchNorm2d;

namespace CleanClip.Tests.Models;

public class BatchNorm2dTests
{
    [Fact]
    public void HasPyTorchsStateDictNamesAndInitialValues()
    {
        using var norm = new BatchNorm2d(3);
        var state = norm.state_dict();
        Assert.Equal(new[] { "bias", "num_batches_tracked", "running_mean", "running_var", "weight" }, state.Keys.Order());
        Assert.Equal(new[] { "bias", "weight" }, norm.named_parameters().Select(p => p.name).Order());
        Assert.Equal(ScalarType.Int64, state["num_batches_tracked"].dtype);
        Assert.Equal(new[] { 1f, 1f, 1f }, state["running_var"].data<float>().ToArray());
    }

    [Fact]
    public void TrainingStepMatchesHandComputedStatisticsAndTorchSharpsModule()
    {
        using var scope = NewDisposeScope();
        // Channel 0 holds 1,2,3,4 and channel 1 holds 10,10,10,10 across a 2×1×2 batch.
        var input = tensor(new float[] { 1, 2, 10, 10, 3, 4, 10, 10 }).reshape(2, 2, 1, 2);
        using var ours = new BatchNorm2d(2);
        using var theirs = nn.BatchNorm2d(2);
        ours.train(); theirs.train();
        var output = ours.forward(input);

        // Biased variance normalises (1.25), the unbiased one (5/3) feeds the running estimate, momentum 0.1.
        float expected0 = (float)((1 - 2.5) / Math.Sqrt(1.25 + 1e-5));
        Assert.Equal(expected0, output[0, 0, 0, 0].item<float>(), tolerance: 1e-5);
        Assert.Equal(0f, output[0, 1, 0, 0].item<float>(), tolerance: 1e-3);  // a constant channel: only rounding of its mean remains
        Assert.Equal(0.25f, ours.running_mean[0].item<float>(), tolerance: 1e-6);
        Assert.Equal(1f, ours.running_mean[1].item<float>(), tolerance: 1e-6);
        Assert.Equal(0.9f + 0.1f * 5f / 3f, ours.running_var[0].item<float>(), tolerance: 1e-6);
        Assert.Equal(1L, ours.num_batches_tracked.item<long>());

        Assert.True(output.allclose(theirs.forward(input), rtol: 0, atol: 0));
        ours.forward(input);
        Assert.Equal(2L, ours.num_batches_tracked.item<long>());
    }

    [Fact]
    public void EvaluationUsesRunningStatisticsAndLeavesThemAlone()
    {
        using var scope = NewDisposeScope();
        using var norm = new BatchNorm2d(1);
        norm.running_mean.fill_(2f);
        norm.running_var.fill_(4f);
        norm.eval();
        var output = norm.forward(full(1, 1, 1, 1, 6f));
        Assert.Equal((float)(4 / Math.Sqrt(4 + 1e-5)), output.item<float>(), tolerance: 1e-5);
        Assert.Equal(0L, norm.num_batches_tracked.item<long>());
        Assert.Equal(2f, norm.running_mean.item<float>());
    }

    [Fact]
    public void RejectsInputsThatAreNotImageBatches()
    {
        using var norm = new BatchNorm2d(2);
        using var flat = zeros(4, 2);
        Assert.Contains("[N, C, H, W]", Assert.Throws<ArgumentException>(() => norm.forward(flat)).Message);
    }
}
