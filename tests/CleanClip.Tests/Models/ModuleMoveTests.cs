using CleanClip.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Models;

/// <summary>
/// Moving or converting a model (<c>model.to(device)</c>, <c>model.to(dtype)</c>) replaces every parameter tensor;
/// the layers must compute with the new ones afterwards. A dtype conversion on the CPU takes the same path in
/// TorchSharp as a move to CUDA, which this machine cannot test.
/// </summary>
public class ModuleMoveTests
{
    [Theory]
    [InlineData("tiny-rn")]
    [InlineData("tiny-vit")]
    public void AConvertedModelComputesWithItsConvertedParameters(string name)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(5);
        using var model = new ClipModel(ModelRegistry.Get(name));
        model.eval();
        using var noGrad = no_grad();
        var pixels = randn(2, 3, 32, 32);
        var tokens = zeros(2, 77, dtype: ScalarType.Int64);
        tokens[0, 0] = 1022; tokens[0, 1] = 5; tokens[0, 2] = 1023;
        tokens[1, 0] = 1022; tokens[1, 1] = 9; tokens[1, 2] = 7; tokens[1, 3] = 1023;
        var (image, text) = model.forward(pixels, tokens);

        model.to(ScalarType.Float64);
        // Every parameter the model computes with is a registered, converted one (none is a stale, disposed tensor).
        var registered = model.parameters().ToList();
        Assert.All(registered, p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.Contains(registered, p => ReferenceEquals(p, model.LogitScale));
        Assert.Contains(registered, p => ReferenceEquals(p, model.TextProjection));
        Assert.Contains(registered, p => ReferenceEquals(p, model.TextPositionalEmbedding));
        var (image64, text64) = model.forward(pixels, tokens);
        Assert.Equal(ScalarType.Float64, image64.dtype);
        // fp32 against fp64 arithmetic on the same weights: agreement to float32 rounding.
        GoldenVectorTests.AssertClose(image, image64.to(ScalarType.Float32), 1e-5);
        GoldenVectorTests.AssertClose(text, text64.to(ScalarType.Float32), 1e-5);
        Assert.Equal(ScalarType.Float64, model.LogitScale.dtype);
    }
}
