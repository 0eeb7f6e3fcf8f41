using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CleanClip.Training.Optimization;

/// <summary>How parameters are sorted into decayed and not-decayed groups.</summary>
public enum DecayRule
{
    /// <summary>By role: norm layers' weights and biases, every bias, and logit_scale are not decayed.</summary>
    Role,
    /// <summary>
    /// The reference: not decayed when the name contains "bn", "ln", "bias" or "logit_scale" — so the shortcut
    /// BatchNorm's scale (<c>downsample.1.weight</c>) is decayed (reference bug 7).
    /// </summary>
    Reference,
}

/// <summary>The AdamW parameter groups: (decayed, not decayed), each with its parameter names for the record.</summary>
public static class WeightDecayGroups
{
    public sealed record Groups(IReadOnlyList<(string Name, Parameter Parameter)> Decayed,
        IReadOnlyList<(string Name, Parameter Parameter)> NotDecayed);

    public static Groups Split(nn.Module model, DecayRule rule)
    {
        var normParameters = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (prefix, module) in model.named_modules())
            if (module is LayerNorm or BatchNorm1d or BatchNorm2d or BatchNorm3d or GroupNorm)
                foreach (var (name, _) in module.named_parameters(recurse: false))
                    normParameters.Add(prefix.Length == 0 ? name : $"{prefix}.{name}");

        var decayed = new List<(string, Parameter)>();
        var notDecayed = new List<(string, Parameter)>();
        foreach (var (name, parameter) in model.named_parameters())
        {
            bool exempt = rule == DecayRule.Reference
                ? new[] { "bn", "ln", "bias", "logit_scale" }.Any(name.Contains)
                : normParameters.Contains(name) || name == "logit_scale" || LastPart(name) is "bias" || LastPart(name).EndsWith("_bias", StringComparison.Ordinal);
            (exempt ? notDecayed : decayed).Add((name, parameter));
        }
        return new Groups(decayed, notDecayed);
    }

    /// <summary>AdamW over both groups (β1, β2, ε, weight decay on the decayed group only).</summary>
    public static optim.Optimizer AdamW(nn.Module model, DecayRule rule, double learningRate, double weightDecay,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        var groups = Split(model, rule);
        var paramGroups = new[]
        {
            new AdamW.ParamGroup(groups.Decayed.Select(p => p.Parameter), lr: learningRate, weight_decay: weightDecay),
            new AdamW.ParamGroup(groups.NotDecayed.Select(p => p.Parameter), lr: learningRate, weight_decay: 0),
        };
        return optim.AdamW(paramGroups, learningRate, beta1, beta2, epsilon, weightDecay);
    }

    private static string LastPart(string name) => name[(name.LastIndexOf('.') + 1)..];
}
