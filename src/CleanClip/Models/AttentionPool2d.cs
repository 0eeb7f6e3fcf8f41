using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace CleanClip.Models;

/// <summary>
/// ModifiedResNet's head: the feature map's tokens plus their mean, with a learned position embedding, pooled by
/// one multi-head attention query. Only the mean token's query is used, so only that query is computed.
/// </summary>
public sealed class AttentionPool2d : nn.Module<Tensor, Tensor>
{
    // Registration is explicit (OpenAI's key names); TorchSharp's reflective registration would add field-named duplicates.
    protected override void RegisterComponents() { }

    // Named as registered, so model.to(device or dtype) rebinds the field to the moved tensor (TorchSharp matches fields by this name).
    [ComponentName(Name = "positional_embedding")] private readonly Parameter positionalEmbedding;
    private readonly Linear kProj, qProj, vProj, cProj;
    private readonly int heads;

    public AttentionPool2d(int gridSize, int embedDim, int heads, int outputDim) : base(nameof(AttentionPool2d))
    {
        this.heads = heads;
        positionalEmbedding = nn.Parameter(torch.randn(gridSize * gridSize + 1, embedDim) / Math.Sqrt(embedDim));
        kProj = nn.Linear(embedDim, embedDim);
        qProj = nn.Linear(embedDim, embedDim);
        vProj = nn.Linear(embedDim, embedDim);
        cProj = nn.Linear(embedDim, outputDim);
        register_parameter("positional_embedding", positionalEmbedding);
        register_module("k_proj", kProj);
        register_module("q_proj", qProj);
        register_module("v_proj", vProj);
        register_module("c_proj", cProj);
    }

    public IEnumerable<Linear> Projections => [qProj, kProj, vProj, cProj];

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (n, c) = (x.shape[0], x.shape[1]);
        var tokens = x.flatten(2).transpose(1, 2);                                   // [N, HW, C]
        tokens = torch.cat([tokens.mean([1], keepdim: true), tokens], 1) + positionalEmbedding;
        long headDim = c / heads;
        var q = qProj.forward(tokens.narrow(1, 0, 1)).view(n, 1, heads, headDim).transpose(1, 2);
        var k = kProj.forward(tokens).view(n, -1, heads, headDim).transpose(1, 2);
        var v = vProj.forward(tokens).view(n, -1, heads, headDim).transpose(1, 2);
        var pooled = nn.functional.scaled_dot_product_attention(q, k, v).reshape(n, c); // [N, H, 1, hd] → [N, C]
        return cProj.forward(pooled).MoveToOuterDisposeScope();
    }
}
