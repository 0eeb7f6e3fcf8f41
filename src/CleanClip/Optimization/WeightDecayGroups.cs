using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CleanClip.Optimization;

/// <summary>How parameters are sorted into decayed and not-decayed groups.</summary>
public enum DecayRule
{
    /// <summary>By role: norm layers' weights and biases, every bias, and logit_scale are not decayed.</summary>
    Role,
    /// <summary>
    /// The reference: not decayed when the name contains "bn", "ln", "bias" or "logit_scale" — so the shortcut
    /// BatchNorm's scale (<c>downsample.1.weight</c>) is decayed (docs/reference-behaviour.md §14, defect 8).
    /// </summary>
    [ReferenceSwitch]
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
            if (module is LayerNorm or BatchNorm1d or BatchNorm2d or BatchNorm3d or GroupNorm or Models.BatchNorm2d)
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

    /// <summary>AdamW over both groups (weight decay on the decayed group only).</summary>
    public static AdamWOptimizer AdamW(nn.Module model, DecayRule rule, double learningRate, double weightDecay,
        double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        var groups = Split(model, rule);
        var optimizer = new AdamWOptimizer(new[] { new AdamWOptimizer.Group(groups.Decayed, weightDecay), new AdamWOptimizer.Group(groups.NotDecayed, 0) },
            beta1, beta2, epsilon);
        optimizer.SetLearningRate(learningRate);
        return optimizer;
    }

    private static string LastPart(string name) => name[(name.LastIndexOf('.') + 1)..];
}
