using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Models;
using CleanClip.Training.Losses;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Models;

/// <summary>
/// <see cref="Precision.Bf16"/>: the towers compute in bfloat16 (LibTorch's autocast, opened by <see cref="TowerCompute"/>)
/// while parameters, gradients, BatchNorm statistics and features stay fp32. Checked against PyTorch's fp32 features
/// (the golden vectors) and against our fp32 gradients; the scope itself against hand-made cases.
/// </summary>
public class PrecisionTests
{
    private static string Golden(string file) => TestPaths.Fixture("golden", file);

    // bf16 keeps 8 significant bits (relative rounding 2^-9 ≈ 0.002 per operation). Measured on these tiny models:
    // cosine to fp32 ≥ 0.9997 per row, max difference 0.4% of the row norm; the bounds leave room and still fail for
    // an unrelated or unnormalised result. The lower bound proves bf16 really ran (fp32 agrees to 2e-6). tiny-rn is
    // too narrow for oneDNN, so on the CPU its image tower computes in fp32 by design (TowerCompute) and must agree
    // with fp32 to the fp32 parity tests' 1e-5.
    [Theory]
    [InlineData("tiny-rn")]
    [InlineData("tiny-vit")]
    public void Bf16FeaturesMatchPyTorchFp32WithinBf16Rounding(string name)
    {
        using var scope = torch.NewDisposeScope();
        using var model = ModelLoader.FromFile(Golden($"{name}.pt"));
        model.eval();
        model.Precision = Precision.Bf16;
        using var _ = torch.no_grad();

        var image = model.EncodeImage(NpyFile.Read(Golden($"{name}.pixels.npy")));
        var text = model.EncodeText(NpyFile.Read(Golden($"{name}.tokens.npy")));
        var expectedImage = NpyFile.Read(Golden($"{name}.image_features.npy"));
        if (TowerCompute.ImageTowerStaysFp32(model.Config, DeviceType.CPU))
        {
            Assert.Equal(ScalarType.Float32, image.dtype);
            Assert.True(torch.allclose(image, expectedImage, rtol: 1e-5, atol: 1e-5), "an image tower kept in fp32 must match fp32");
        }
        else AssertBf16Close(expectedImage, image);
        AssertBf16Close(NpyFile.Read(Golden($"{name}.text_features.npy")), text);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.False(Autocast.IsActive(DeviceType.CPU), "the towers' scopes are closed when their features come out");
    }

    // The scope by hand: inside, linear layers, matrix products and convolutions compute in bf16, an op outside the
    // list (the sum) keeps its input's type, and an fp32 residual plus a bf16 result stays fp32; gradients reach the
    // fp32 weight in fp32; nesting restores the outer state; fp32 (null) opens nothing; another thread is unaffected.
    [Fact]
    public void AutocastComputesMatrixProductsInBf16OnlyInsideTheScope()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(4, 8, generator: new torch.Generator(3));
        var weight = torch.randn([3, 8], requires_grad: true, generator: new torch.Generator(4));
        Tensor inside;
        using (Autocast.Enter(DeviceType.CPU, ScalarType.BFloat16))
        {
            inside = nn.functional.linear(x, weight);
            Assert.Equal(ScalarType.BFloat16, inside.dtype);
            Assert.Equal(ScalarType.BFloat16, torch.matmul(x, x.t()).dtype);
            Assert.Equal(ScalarType.BFloat16, nn.functional.conv2d(torch.randn(1, 3, 5, 5), torch.randn(2, 3, 3, 3)).dtype);
            Assert.Equal(ScalarType.Float32, (x.narrow(1, 0, 3) + inside).dtype);
            Assert.Equal(ScalarType.Float32, x.sum().dtype);
            var seenElsewhere = true;
            var other = new Thread(() => seenElsewhere = Autocast.IsActive(DeviceType.CPU));
            other.Start();
            other.Join();
            Assert.False(seenElsewhere, "autocast is per thread");
            using (Autocast.Enter(DeviceType.CPU, null)) Assert.True(Autocast.IsActive(DeviceType.CPU));
            using (Autocast.Enter(DeviceType.CPU, ScalarType.BFloat16)) { }
            Assert.True(Autocast.IsActive(DeviceType.CPU), "closing an inner scope keeps the outer one");
            Assert.Equal(ScalarType.BFloat16, nn.functional.linear(x, weight).dtype);
        }
        Assert.False(Autocast.IsActive(DeviceType.CPU));
        Assert.Equal(ScalarType.Float32, nn.functional.linear(x, weight).dtype);
        // The bf16 product is the fp32 one rounded: within bf16's relative 2^-8 per input rounding, summed over 8 terms.
        var exact = nn.functional.linear(x, weight);
        Assert.True((inside.to(ScalarType.Float32) - exact).abs().max().item<float>() <= 0.05f * exact.abs().max().item<float>());
        inside.to(ScalarType.Float32).sum().backward();
        Assert.Equal(ScalarType.Float32, weight.grad!.dtype);
        // d(sum(x W^T))/dW = column sums of x, for every row of W.
        Assert.True(torch.allclose(weight.grad, x.sum(0L, keepdim: true).repeat(3, 1), rtol: 0.02, atol: 0.02));
    }

    // No layer knows the precision or the runtime switches: only ClipModel's two encode methods open TowerCompute.
    [Fact]
    public void NoLayerMentionsPrecisionOrRuntimeSwitches()
    {
        var models = Path.Combine(Architecture.FolderDependencyTests.RepositoryRoot(), "src", "CleanClip", "Models");
        var layers = Directory.EnumerateFiles(models, "*.cs")
            .Where(f => File.ReadAllText(f).Contains("nn.Module<") && Path.GetFileName(f) != "ClipModel.cs").ToList();
        Assert.True(layers.Count >= 9, $"found only {layers.Count} layer files in {models}");
        foreach (var file in layers)
        {
            var text = File.ReadAllText(file);
            foreach (var word in new[] { "Precision", "Autocast", "BFloat16", "Float16", "TorchRuntime", "TowerCompute", "OneDnn" })
                Assert.False(text.Contains(word, StringComparison.Ordinal), $"{Path.GetFileName(file)} mentions {word}: precision and runtime switches belong to TowerCompute");
        }
    }

    private static void AssertBf16Close(Tensor expected, Tensor actual)
    {
        Assert.Equal(ScalarType.Float32, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        var cosine = nn.functional.cosine_similarity(expected, actual, dim: 1).min().item<float>();
        var relative = ((expected - actual).abs().max(1).values / expected.norm(1)).max().item<float>();
        Assert.True(cosine >= 0.999, $"min cosine to fp32 {cosine:F5} < 0.999");
        Assert.True(relative <= 0.02, $"max |fp32 - bf16| is {relative:P2} of the row norm (> 2%)");
        Assert.True(relative >= 1e-4, $"bf16 result equals fp32 to {relative:g2} of the norm: bf16 did not run");
    }

    // One CleanCLIP loss (ClipLoss + InModalLoss on [originals; views]) forward in bf16, backward: every parameter's
    // gradient arrives in fp32 and points where the fp32 gradient points; BatchNorm's running statistics stay fp32.
    // Measured cosine to the fp32 gradient: 0.9999 for both (tiny-rn's image tower stays fp32 without oneDNN). A wrong
    // cast path or a missing gradient gives a cosine far below 0.98.
    [Theory]
    [InlineData("tiny-rn")]
    [InlineData("tiny-vit")]
    public void Bf16GradientsArriveInFp32AndFollowTheFp32Gradient(string name)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        using var model = new ClipModel(ModelRegistry.Get(name));
        model.train();
        var generator = new torch.Generator(11);
        var pixels = torch.randn([8, 3, 32, 32], generator: generator);
        var tokens = torch.zeros(8, model.Config.ContextLength, ScalarType.Int64);
        tokens[TensorIndex.Colon, 0] = model.Config.VocabSize - 2;
        tokens[TensorIndex.Colon, TensorIndex.Slice(1, 6)] = torch.randint(1, 1000, [8, 5], ScalarType.Int64, generator: generator);
        tokens[TensorIndex.Colon, 6] = model.Config.VocabSize - 1;

        var fp32 = Gradients(model, Precision.Fp32, pixels, tokens);
        var bf16 = Gradients(model, Precision.Bf16, pixels, tokens);

        Assert.Equal(fp32.Keys, bf16.Keys);
        Assert.All(bf16.Values, g => Assert.Equal(ScalarType.Float32, g.dtype));
        var all32 = torch.cat(fp32.Values.Select(g => g.flatten()).ToList());
        var all16 = torch.cat(bf16.Values.Select(g => g.flatten()).ToList());
        double cosine = nn.functional.cosine_similarity(all32, all16, dim: 0).item<float>();
        double normRatio = (all16.norm() / all32.norm()).item<float>();
        Assert.True(cosine >= 0.98, $"gradient cosine bf16 vs fp32 {cosine:F4} < 0.98");
        Assert.InRange(normRatio, 0.95, 1.05);
        Assert.True((all32 - all16).abs().max().item<float>() > 0, "bf16 gradients equal fp32 ones exactly: bf16 did not run");
        foreach (var (key, buffer) in model.named_buffers())
            if (key.EndsWith("running_mean") || key.EndsWith("running_var"))
                Assert.Equal(ScalarType.Float32, buffer.dtype);
    }

    private static Dictionary<string, Tensor> Gradients(ClipModel model, Precision precision, Tensor pixels, Tensor tokens)
    {
        model.Precision = precision;
        model.zero_grad();
        var (images, texts) = model.forward(pixels, tokens);
        Assert.Equal(ScalarType.Float32, images.dtype);
        var loss = new CleanClipObjective(ClipWeight: 1, InModalWeight: 1).Compute(images, texts, model.LogitScale, withAugmentedViews: true).Total;
        loss.backward();
        return model.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.clone());
    }
}
