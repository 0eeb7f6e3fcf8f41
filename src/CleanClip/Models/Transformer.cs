using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CleanClip.Models;

/// <summary>A stack of <see cref="ResidualAttentionBlock"/>s, keyed <c>resblocks.N.*</c> as in OpenAI's checkpoints.</summary>
public sealed class Transformer : nn.Module<Tensor, Tensor>
{
    // Registration is explicit (OpenAI's key names); TorchSharp's reflective registration would add field-named duplicates.
    protected override void RegisterComponents() { }

    private readonly ModuleList<ResidualAttentionBlock> resblocks;

    public Transformer(int width, int layers, int heads, bool causal, MlpActivation activation = MlpActivation.QuickGelu) : base(nameof(Transformer))
    {
        resblocks = nn.ModuleList(Enumerable.Range(0, layers)
            .Select(_ => new ResidualAttentionBlock(width, heads, causal, activation)).ToArray());
        register_module("resblocks", resblocks);
    }

    public IEnumerable<ResidualAttentionBlock> Blocks => resblocks;

    public override Tensor forward(Tensor x)
    {
        foreach (var block in resblocks) x = block.forward(x);
        return x;
    }
}
