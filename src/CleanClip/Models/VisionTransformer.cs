using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace CleanClip.Models;

/// <summary>CLIP's ViT image tower: patch embedding, a class token, pre-LN transformer, and a projection of that token.</summary>
public sealed class VisionTransformer : nn.Module<Tensor, Tensor>
{
    // Registration is explicit (OpenAI's key names); TorchSharp's reflective registration would add field-named duplicates.
    protected override void RegisterComponents() { }

    private readonly Conv2d conv1;
    // Named as registered, so model.to(device or dtype) rebinds the field to the moved tensor (TorchSharp matches fields by this name).
    [ComponentName(Name = "class_embedding")] private readonly Parameter classEmbedding;
    [ComponentName(Name = "positional_embedding")] private readonly Parameter positionalEmbedding;
    private readonly Parameter proj;
    private readonly LayerNorm lnPre, lnPost;
    private readonly Transformer transformer;

    public VisionTransformer(int resolution, int patchSize, int width, int layers, int heads, int outputDim, MlpActivation activation = MlpActivation.QuickGelu)
        : base(nameof(VisionTransformer))
    {
        if (resolution % patchSize != 0) throw new ArgumentException($"resolution {resolution} is not a multiple of patch {patchSize}");
        double scale = 1.0 / Math.Sqrt(width);
        int grid = resolution / patchSize;
        conv1 = nn.Conv2d(3, width, patchSize, stride: patchSize, bias: false);
        classEmbedding = nn.Parameter(torch.randn(width) * scale);
        positionalEmbedding = nn.Parameter(torch.randn(grid * grid + 1, width) * scale);
        lnPre = nn.LayerNorm(width);
        transformer = new Transformer(width, layers, heads, causal: false, activation);
        lnPost = nn.LayerNorm(width);
        proj = nn.Parameter(torch.randn(width, outputDim) * scale);
        register_module("conv1", conv1);
        register_parameter("class_embedding", classEmbedding);
        register_parameter("positional_embedding", positionalEmbedding);
        register_module("ln_pre", lnPre);
        register_module("transformer", transformer);
        register_module("ln_post", lnPost);
        register_parameter("proj", proj);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var patches = conv1.forward(x).flatten(2).transpose(1, 2);             // [N, grid², D]
        var cls = classEmbedding.expand(patches.shape[0], 1, -1);
        var tokens = lnPre.forward(torch.cat([cls, patches], 1) + positionalEmbedding);
        tokens = transformer.forward(tokens);
        return torch.matmul(lnPost.forward(tokens.select(1, 0)), proj).MoveToOuterDisposeScope();
    }
}
