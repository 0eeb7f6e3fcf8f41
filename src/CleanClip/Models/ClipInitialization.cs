using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Models;

/// <summary>
/// OpenAI's <c>initialize_parameters</c> for training from scratch. Everything it does not name keeps PyTorch's
/// defaults (kaiming-uniform convolutions and linears, unit/zero norms, xavier attention projections).
/// </summary>
internal static class ClipInitialization
{
    public static void Apply(ClipModel model)
    {
        var config = model.Config;
        using var _ = torch.no_grad();
        nn.init.normal_(model.TokenEmbedding.weight!, std: 0.02);
        nn.init.normal_(model.TextPositionalEmbedding, std: 0.01);

        if (model.Visual is ModifiedResNet resnet)
        {
            double std = 1.0 / Math.Sqrt(config.VisionWidth * 32);      // c_proj.in_features ** -0.5
            foreach (var linear in resnet.AttentionPool.Projections) nn.init.normal_(linear.weight!, std: std);
            // A zero scale on each residual branch's last norm makes every bottleneck start as the identity.
            foreach (var block in resnet.Bottlenecks) nn.init.zeros_(block.LastNorm.weight!);
        }

        double width = config.TextWidth;
        double projStd = Math.Pow(width, -0.5) * Math.Pow(2 * config.TextLayers, -0.5);
        double attnStd = Math.Pow(width, -0.5);
        double fcStd = Math.Pow(2 * width, -0.5);
        foreach (var block in model.TextTransformer.Blocks)
        {
            nn.init.normal_(block.Attention.InProjWeight, std: attnStd);
            nn.init.normal_(block.Attention.OutProj.weight!, std: projStd);
            nn.init.normal_(block.MlpIn.weight!, std: fcStd);
            nn.init.normal_(block.MlpOut.weight!, std: projStd);
        }
        nn.init.normal_(model.TextProjection, std: attnStd);
    }
}
