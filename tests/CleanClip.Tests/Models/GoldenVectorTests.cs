using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Models;

/// <summary>
/// Tiny random models written by tools/golden/clip_golden.py (an independent PyTorch re-statement of CLIP):
/// loading their weights must reproduce PyTorch's image and text features.
/// </summary>
public class GoldenVectorTests
{
    // The issue asks for 1e-4; measured agreement is 2e-6, so 1e-5 keeps a margin and still catches small slips.
    private const double Tolerance = 1e-5;

    private static string Golden(string file) => TestPaths.Fixture("golden", file);

    private static Dictionary<string, Tensor> ReadStateDict(string path) => CheckpointReader.Read(path).StateDict;

    // Each tiny model as torch.save(state_dict) and as a traced TorchScript archive (OpenAI's release format), loaded
    // through the same entry point users call, which also infers the architecture from the tensor shapes.
    [Theory]
    [InlineData("tiny-rn", "pt")]
    [InlineData("tiny-rn", "ts.pt")]
    [InlineData("tiny-vit", "pt")]
    [InlineData("tiny-vit", "ts.pt")]
    public void CheckpointsReproducePyTorchFeatures(string name, string extension)
    {
        using var scope = torch.NewDisposeScope();
        // These fixtures come from our own script, so the TorchScript ones are trusted.
        using var model = ModelLoader.FromFile(Golden($"{name}.{extension}"), read: new CheckpointReadOptions { TrustTorchScript = true });
        Assert.Equal(ModelRegistry.Get(name), model.Config);
        model.eval();
        using var _ = torch.no_grad();

        var image = model.EncodeImage(NpyFile.Read(Golden($"{name}.pixels.npy")));
        AssertClose(NpyFile.Read(Golden($"{name}.image_features.npy")), image);

        var text = model.EncodeText(NpyFile.Read(Golden($"{name}.tokens.npy")));
        AssertClose(NpyFile.Read(Golden($"{name}.text_features.npy")), text);
    }

    // OpenCLIP's plain configs: the same tensors as tiny-vit, exact GELU in the MLPs. The file cannot say which
    // activation it was trained with, so the config is given, as --model-config gives it.
    [Fact]
    public void AGeluModelReproducesPyTorchFeaturesAndDiffersFromItsQuickGeluReading()
    {
        using var scope = torch.NewDisposeScope();
        var gelu = ModelRegistry.Get("tiny-vit") with { Activation = MlpActivation.Gelu };
        using var model = ModelLoader.LoadAs(Golden("tiny-vit-gelu.pt"), gelu);
        using var quick = ModelLoader.LoadAs(Golden("tiny-vit-gelu.pt"), ModelRegistry.Get("tiny-vit"));
        model.eval();
        quick.eval();
        using var _ = torch.no_grad();
        var pixels = NpyFile.Read(Golden("tiny-vit-gelu.pixels.npy"));
        var tokens = NpyFile.Read(Golden("tiny-vit-gelu.tokens.npy"));
        var expectedImage = NpyFile.Read(Golden("tiny-vit-gelu.image_features.npy"));
        var expectedText = NpyFile.Read(Golden("tiny-vit-gelu.text_features.npy"));
        AssertClose(expectedImage, model.EncodeImage(pixels));
        AssertClose(expectedText, model.EncodeText(tokens));
        // Read with QuickGELU, the same weights are off by far more than the tolerance: the activation matters.
        Assert.True((expectedImage - quick.EncodeImage(pixels)).abs().max().item<float>() > 100 * Tolerance);
        Assert.True((expectedText - quick.EncodeText(tokens)).abs().max().item<float>() > 100 * Tolerance);
    }

    [Fact]
    public void AttentionPoolMatchesPyTorchOnAThreeByThreeGrid()
    {
        using var scope = torch.NewDisposeScope();
        using var pool = new AttentionPool2d(gridSize: 3, embedDim: 32, heads: 4, outputDim: 16);
        StateDictLoader.Load(pool, ReadStateDict(Golden("attnpool.pt")));
        using var _ = torch.no_grad();
        AssertClose(NpyFile.Read(Golden("attnpool.output.npy")), pool.forward(NpyFile.Read(Golden("attnpool.input.npy"))));
    }

    internal static void AssertClose(Tensor expected, Tensor actual, double tolerance = Tolerance)
    {
        Assert.Equal(expected.shape, actual.shape);
        double maxDiff = (expected - actual).abs().max().item<float>();
        Assert.True(maxDiff <= tolerance, $"max |expected - actual| = {maxDiff:g3} > {tolerance:g3}");
    }
}
