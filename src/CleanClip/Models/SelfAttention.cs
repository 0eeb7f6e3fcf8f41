using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace CleanClip.Models;

/// <summary>
/// Multi-head self-attention with PyTorch <c>nn.MultiheadAttention</c>'s parameters (<c>in_proj_weight</c>,
/// <c>in_proj_bias</c>, <c>out_proj</c>), on batch-first tokens [N, L, D]; the fused kernel does the softmax.
/// </summary>
public sealed class SelfAttention : nn.Module<Tensor, Tensor>
{
    // Registration is explicit (OpenAI's key names); TorchSharp's reflective registration would add field-named duplicates.
    protected override void RegisterComponents() { }

    // Named as registered, so model.to(device or dtype) rebinds the field to the moved tensor (TorchSharp matches fields by this name).
    [ComponentName(Name = "in_proj_weight")] private readonly Parameter inProjWeight;
    [ComponentName(Name = "in_proj_bias")] private readonly Parameter inProjBias;
    private readonly Linear outProj;
    private readonly int heads;
    private readonly bool causal;

    public SelfAttention(int width, int heads, bool causal) : base(nameof(SelfAttention))
    {
        if (width % heads != 0) throw new ArgumentException($"width {width} is not divisible by {heads} heads");
        this.heads = heads;
        this.causal = causal;
        // PyTorch's MultiheadAttention init: xavier-uniform packed projection, zero biases.
        inProjWeight = nn.Parameter(nn.init.xavier_uniform_(torch.empty(3 * width, width)));
        inProjBias = nn.Parameter(torch.zeros(3 * width));
        outProj = nn.Linear(width, width);
        nn.init.zeros_(outProj.bias!);
        register_parameter("in_proj_weight", inProjWeight);
        register_parameter("in_proj_bias", inProjBias);
        register_module("out_proj", outProj);
    }

    public Parameter InProjWeight => inProjWeight;
    public Linear OutProj => outProj;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (n, l, d) = (x.shape[0], x.shape[1], x.shape[2]);
        var qkv = nn.functional.linear(x, inProjWeight, inProjBias)
            .view(n, l, 3, heads, d / heads).permute(2, 0, 3, 1, 4);           // [3, N, H, L, hd]
        var attended = nn.functional.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], is_casual: causal);
        return outProj.forward(attended.transpose(1, 2).reshape(n, l, d)).MoveToOuterDisposeScope();
    }
}
