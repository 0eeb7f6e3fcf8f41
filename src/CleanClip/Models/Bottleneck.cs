using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CleanClip.Models;

/// <summary>
/// ModifiedResNet's bottleneck: strided convolutions are replaced by an average pool after the 3×3 convolution
/// (anti-aliasing), and the shortcut pools before its 1×1 convolution (<c>downsample.-1/0/1</c>).
/// </summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    // Registration is explicit (OpenAI's key names); TorchSharp's reflective registration would add field-named duplicates.
    protected override void RegisterComponents() { }

    public const int Expansion = 4;

    private readonly Conv2d conv1, conv2, conv3;
    private readonly BatchNorm2d bn1, bn2, bn3;
    private readonly nn.Module<Tensor, Tensor> avgpool;
    private readonly Sequential? downsample;

    public Bottleneck(int inplanes, int planes, int stride) : base(nameof(Bottleneck))
    {
        int outplanes = planes * Expansion;
        conv1 = nn.Conv2d(inplanes, planes, 1, bias: false);
        bn1 = new BatchNorm2d(planes);
        conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = new BatchNorm2d(planes);
        avgpool = stride > 1 ? nn.AvgPool2d(stride) : nn.Identity();
        conv3 = nn.Conv2d(planes, outplanes, 1, bias: false);
        bn3 = new BatchNorm2d(outplanes);
        if (stride > 1 || inplanes != outplanes)
            downsample = nn.Sequential(
                ("-1", nn.AvgPool2d(stride)),
                ("0", nn.Conv2d(inplanes, outplanes, 1, bias: false)),
                ("1", new BatchNorm2d(outplanes)));
        register_module("conv1", conv1); register_module("bn1", bn1);
        register_module("conv2", conv2); register_module("bn2", bn2);
        register_module("avgpool", avgpool);
        register_module("conv3", conv3); register_module("bn3", bn3);
        if (downsample is not null) register_module("downsample", downsample);
    }

    /// <summary>The last BatchNorm of the residual branch; OpenAI zero-initialises its scale.</summary>
    public BatchNorm2d LastNorm => bn3;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(bn1.forward(conv1.forward(x)));
        y = nn.functional.relu(bn2.forward(conv2.forward(y)));
        y = bn3.forward(conv3.forward(avgpool.forward(y)));
        var shortcut = downsample is null ? x : Shortcut(x);
        return nn.functional.relu(y + shortcut).MoveToOuterDisposeScope();
    }

    // downsample's layers one by one, so that its convolution computes in the input's precision.
    private Tensor Shortcut(Tensor x)
    {
        var pooled = ((nn.Module<Tensor, Tensor>)downsample![0]).forward(x);
        return ((BatchNorm2d)downsample[2]).forward(((Conv2d)downsample[1]).forward(pooled));
    }
}
