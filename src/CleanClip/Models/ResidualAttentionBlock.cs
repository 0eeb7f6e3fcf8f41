using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CleanClip.Models;

/// <summary>CLIP's pre-LayerNorm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)) with the config's <see cref="MlpActivation"/>.</summary>
public sealed class ResidualAttentionBlock : nn.Module<Tensor, Tensor>
{
    // Registration is explicit (OpenAI's key names); TorchSharp's reflective registration would add field-named duplicates.
    protected override void RegisterComponents() { }

    private readonly SelfAttention attn;
    private readonly LayerNorm ln1;
    private readonly Sequential mlp;
    private readonly LayerNorm ln2;

    public ResidualAttentionBlock(int width, int heads, bool causal, MlpActivation activation = MlpActivation.QuickGelu) : base(nameof(ResidualAttentionBlock))
    {
        attn = new SelfAttention(width, heads, causal);
        ln1 = nn.LayerNorm(width);
        mlp = nn.Sequential(
            ("c_fc", nn.Linear(width, width * 4)),
            ("gelu", activation == MlpActivation.Gelu ? nn.GELU() : new QuickGelu()),
            ("c_proj", nn.Linear(width * 4, width)));
        ln2 = nn.LayerNorm(width);
        register_module("attn", attn);
        register_module("ln_1", ln1);
        register_module("mlp", mlp);
        register_module("ln_2", ln2);
    }

    public SelfAttention Attention => attn;
    public Linear MlpIn => (Linear)mlp[0];
    public Linear MlpOut => (Linear)mlp[2];

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = x + attn.forward(ln1.forward(x));
        var hidden = ((nn.Module<Tensor, Tensor>)mlp[1]).forward(MlpIn.forward(ln2.forward(x)));
        return (x + MlpOut.forward(hidden)).MoveToOuterDisposeScope();
    }
}
