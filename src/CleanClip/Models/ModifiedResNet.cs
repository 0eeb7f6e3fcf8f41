using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CleanClip.Models;

/// <summary>
/// CLIP's ResNet image tower: a three-convolution stem with an average pool instead of a max pool, four stages of
/// anti-aliased <see cref="Bottleneck"/>s, and <see cref="AttentionPool2d"/> instead of global average pooling.
/// </summary>
public sealed class ModifiedResNet : nn.Module<Tensor, Tensor>
{
    // Registration is explicit (OpenAI's key names); TorchSharp's reflective registration would add field-named duplicates.
    protected override void RegisterComponents() { }

    private readonly Conv2d conv1, conv2, conv3;
    private readonly BatchNorm2d bn1, bn2, bn3;
    private readonly AvgPool2d avgpool;
    private readonly Sequential[] stages;
    private readonly AttentionPool2d attnpool;

    public ModifiedResNet(int[] layers, int outputDim, int heads, int resolution, int width) : base(nameof(ModifiedResNet))
    {
        if (layers.Length != 4) throw new ArgumentException($"a ModifiedResNet has 4 stages, got {layers.Length}");
        if (resolution % 32 != 0) throw new ArgumentException($"ResNet resolution {resolution} is not a multiple of 32");
        conv1 = nn.Conv2d(3, width / 2, 3, stride: 2, padding: 1, bias: false);
        bn1 = new BatchNorm2d(width / 2);
        conv2 = nn.Conv2d(width / 2, width / 2, 3, padding: 1, bias: false);
        bn2 = new BatchNorm2d(width / 2);
        conv3 = nn.Conv2d(width / 2, width, 3, padding: 1, bias: false);
        bn3 = new BatchNorm2d(width);
        avgpool = nn.AvgPool2d(2);
        foreach (var (name, m) in new (string, nn.Module)[] { ("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2), ("conv3", conv3), ("bn3", bn3), ("avgpool", avgpool) })
            register_module(name, m);

        int inplanes = width;
        stages = new Sequential[4];
        for (int i = 0; i < 4; i++)
        {
            int planes = width << i;
            var blocks = new List<nn.Module<Tensor, Tensor>> { new Bottleneck(inplanes, planes, i == 0 ? 1 : 2) };
            inplanes = planes * Bottleneck.Expansion;
            for (int b = 1; b < layers[i]; b++) blocks.Add(new Bottleneck(inplanes, planes, 1));
            stages[i] = nn.Sequential(blocks);
            register_module($"layer{i + 1}", stages[i]);
        }
        attnpool = new AttentionPool2d(resolution / 32, width * 32, heads, outputDim);
        register_module("attnpool", attnpool);
    }

    public AttentionPool2d AttentionPool => attnpool;
    public IEnumerable<Bottleneck> Bottlenecks => stages.SelectMany(s => s.children().OfType<Bottleneck>());

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = nn.functional.relu(bn1.forward(conv1.forward(x)));
        x = nn.functional.relu(bn2.forward(conv2.forward(x)));
        x = avgpool.forward(nn.functional.relu(bn3.forward(conv3.forward(x))));
        foreach (var stage in stages) x = stage.forward(x);
        return attnpool.forward(x).MoveToOuterDisposeScope();
    }
}
