using CleanClip.Checkpoints;
using CleanClip.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Checkpoints;

/// <summary>
/// A state dict without our metadata whose tower width is not a multiple of 64 (OpenAI's CLIP class built with
/// <c>transformer_width=32, transformer_heads=2</c>): its heads cannot be read off the shapes, so they must be given.
/// </summary>
public class HeadInferenceTests
{
    [Theory]
    [InlineData(true, false, "text attention width 32", "--text-heads")]
    [InlineData(false, true, "vision attention width 32", "--vision-heads")]
    public void WithoutHeadsTheErrorSaysTheyCannotBeInferredAndHowToGiveThem(bool text, bool vision, string width, string option)
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var path = dir.File("narrow.safetensors");
        using (var model = new ClipModel(HostileCheckpointFiles.NarrowConfig(text, vision)))
            HostileCheckpointFiles.WriteWithoutConfig(model, path);

        var error = Assert.Throws<CheckpointFormatException>(() => ModelLoader.Load(path));
        Assert.StartsWith(path, error.Message);
        Assert.Contains(width, error.Message);
        Assert.Contains("cannot be inferred", error.Message);
        Assert.Contains(option, error.Message);
        Assert.Contains("--model-config", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void GivenHeadsLoadTheStateDictAsTheModelItCameFrom()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var config = HostileCheckpointFiles.NarrowConfig();
        var path = dir.File("narrow.safetensors");
        torch.manual_seed(3);
        using var original = new ClipModel(config);
        HostileCheckpointFiles.WriteWithoutConfig(original, path);

        using var loaded = ModelLoader.Load(path, heads: new HeadCounts(Text: 2, Vision: 2));
        Assert.Equal(2, loaded.Config.ResolvedTextHeads);
        Assert.Equal(2, loaded.Config.ResolvedVisionHeads);
        Assert.True(config.SameShapes(loaded.Config));
        original.eval();
        loaded.eval();
        using var images = torch.rand(2, 3, 32, 32, generator: new Generator(5));
        using var tokens = torch.tensor(new long[,] { { 49, 7, 8, 99, 0 }, { 49, 12, 99, 0, 0 } });
        using var _ = no_grad();
        // Same weights, same head split, same kernels: only summation order could differ, far below 1e-5.
        AssertClose(original.EncodeImage(images), loaded.EncodeImage(images));
        AssertClose(original.EncodeText(tokens), loaded.EncodeText(tokens));
        // The head count matters: with 1 text head instead of 2 the same weights give other text features.
        using var oneHead = ModelLoader.Load(path, heads: new HeadCounts(Text: 1, Vision: 2));
        oneHead.eval();
        Assert.False(original.EncodeText(tokens).allclose(oneHead.EncodeText(tokens), rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void HeadsThatDoNotDivideTheWidthAreRefusedByName()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var path = dir.File("narrow.safetensors");
        using (var model = new ClipModel(HostileCheckpointFiles.NarrowConfig()))
            HostileCheckpointFiles.WriteWithoutConfig(model, path);
        var error = Assert.Throws<CheckpointFormatException>(() => ModelLoader.Load(path, heads: new HeadCounts(Text: 3, Vision: 2)));
        Assert.Contains("text heads is 3, expected a divisor of the text attention width 32", error.Message);
    }

    private static void AssertClose(Tensor expected, Tensor actual) =>
        Assert.True(expected.allclose(actual, rtol: 0, atol: 1e-5), $"max difference {(expected - actual).abs().max().item<float>()}");
}
