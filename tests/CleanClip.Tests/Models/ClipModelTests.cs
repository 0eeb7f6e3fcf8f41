using CleanClip.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Models;

public class ClipModelTests
{
    private static Tensor RandomTokens(ClipConfig config, params int[] eotPositions)
    {
        var generator = new torch.Generator(7);
        var tokens = torch.zeros(eotPositions.Length, config.ContextLength, ScalarType.Int64);
        for (int i = 0; i < eotPositions.Length; i++)
        {
            tokens[i, 0] = config.VocabSize - 2;
            tokens[i, TensorIndex.Slice(1, eotPositions[i])] =
                torch.randint(1, config.VocabSize - 2, [eotPositions[i] - 1], ScalarType.Int64, generator: generator);
            tokens[i, eotPositions[i]] = config.VocabSize - 1;
        }
        return tokens;
    }

    [Theory]
    [InlineData("tiny-rn")]
    [InlineData("tiny-vit")]
    public void TrimmingTextToTheLastEotGivesTheSameEmbeddings(string name)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var model = new ClipModel(ModelRegistry.Get(name));
        model.eval();
        using var _ = torch.no_grad();
        var tokens = RandomTokens(model.Config, 4, 9, 17);          // runs 18 of 77 positions when trimmed
        model.TrimText = false;
        var full = model.TextEmbeddings(tokens);
        model.TrimText = true;
        var trimmed = model.TextEmbeddings(tokens);
        GoldenVectorTests.AssertClose(full, trimmed, 1e-6);
    }

    [Fact]
    public void TokensWiderThanTheContextAreFineWhileEveryCaptionEndsInside()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var model = new ClipModel(ModelRegistry.Get("tiny-vit") with { ContextLength = 8 });
        model.eval();
        var wide = zeros(2, 20, dtype: ScalarType.Int64);
        wide[0, 0] = 1022; wide[0, 1] = 5; wide[0, 2] = 1023;
        wide[1, 0] = 1022; wide[1, 1] = 7; wide[1, 2] = 9; wide[1, 7] = 1023;
        using var noGrad = no_grad();
        var narrow = wide.narrow(1, 0, 8);
        Assert.True(model.EncodeText(wide).equal(model.EncodeText(narrow)).all().item<bool>());
        model.TrimText = false;
        Assert.True(model.EncodeText(wide).allclose(model.EncodeText(narrow), atol: 1e-6));
        wide[1, 7] = 9; wide[1, 8] = 1023;
        var error = Assert.Throws<ArgumentException>(() => model.EncodeText(wide));
        Assert.Contains("9 token positions", error.Message);
    }

    [Fact]
    public void ForwardReturnsUnitLengthEmbeddingsOfTheConfiguredWidth()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new ClipModel(ModelRegistry.Get("tiny-vit"));
        var (image, text) = model.forward(torch.randn(2, 3, 32, 32), RandomTokens(model.Config, 3, 5));
        Assert.Equal(new long[] { 2, 32 }, image.shape);
        Assert.Equal(new long[] { 2, 32 }, text.shape);
        GoldenVectorTests.AssertClose(torch.ones(2), image.norm(1), 1e-5);
        GoldenVectorTests.AssertClose(torch.ones(2), text.norm(1), 1e-5);
    }

    [Fact]
    public void InitialisationFollowsOpenAI()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11);
        var config = ModelRegistry.Get("tiny-rn") with { VocabSize = 20000 };
        using var model = new ClipModel(config);
        var state = model.state_dict();
        Assert.Equal(Math.Log(1 / 0.07), state["logit_scale"].item<float>(), tolerance: 1e-5);
        // Sample standard deviations of seeded normal draws: their spread over seeds is below 1e-4 for these sizes.
        Assert.Equal(0.02, state["token_embedding.weight"].std().item<float>(), tolerance: 1e-3);
        Assert.Equal(0.01, state["positional_embedding"].std().item<float>(), tolerance: 1e-3);
        // Every bottleneck's last BatchNorm starts at zero scale (each residual branch starts as identity).
        var bn3 = state.Where(kv => kv.Key.EndsWith("bn3.weight") && kv.Key.Contains(".layer")).ToList();
        Assert.Equal(4, bn3.Count);
        Assert.All(bn3, kv => Assert.Equal(0f, kv.Value.abs().sum().item<float>()));
        // The stem's bn3 is not a bottleneck norm and keeps PyTorch's unit scale.
        Assert.Equal(1f, state["visual.bn3.weight"].mean().item<float>());
        double attnStd = state["visual.attnpool.q_proj.weight"].std().item<float>();
        Assert.InRange(attnStd, 0.9 / Math.Sqrt(256), 1.1 / Math.Sqrt(256));
    }

    [Fact]
    public void SameSeedGivesTheSameWeights()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        using var a = new ClipModel(ModelRegistry.Get("tiny-vit"));
        torch.manual_seed(5);
        using var b = new ClipModel(ModelRegistry.Get("tiny-vit"));
        var sb = b.state_dict();
        foreach (var (key, value) in a.state_dict())
            Assert.True(value.equal(sb[key]).all().item<bool>(), key);
    }

    [Trait(TestSpeed.Trait, TestSpeed.Slow)]
    [Theory]
    [InlineData("RN50")]
    [InlineData("RN101")]
    [InlineData("ViT-B/32")]
    [InlineData("ViT-B/16")]
    [InlineData("RN50x4")]
    [InlineData("tiny-rn")]
    [InlineData("tiny-vit")]
    public void ArchitectureIsInferredFromStateDictShapes(string name)
    {
        using var scope = torch.NewDisposeScope();
        var expected = ModelRegistry.Get(name);
        using var model = new ClipModel(expected);
        var shapes = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var inferred = ConfigInference.Infer(shapes);
        Assert.Equal(expected, inferred);
        Assert.Equal(expected.Name, inferred.Name);
    }

    [Fact]
    public void UnknownShapesFallBackToOpenAIsHeadRule()
    {
        using var scope = torch.NewDisposeScope();
        var odd = ModelRegistry.Get("tiny-vit") with { Name = "odd", VisionWidth = 128, VisionHeads = null, TextHeads = null };
        using var model = new ClipModel(odd);
        var inferred = ConfigInference.Infer(model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape));
        Assert.Equal(odd, inferred);
        Assert.Equal(2, inferred.ResolvedVisionHeads);
        Assert.Equal(1, inferred.ResolvedTextHeads);
    }
}
