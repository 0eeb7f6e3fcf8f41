using CleanClip.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CleanClip.Training.Checkpointing;

/// <summary>
/// The AdamW state of a reference checkpoint (<c>torch.save({..., "optimizer": optimizer.state_dict()})</c>) by
/// parameter name. PyTorch keys that state by position: the reference builds two groups — names containing "bn",
/// "ln", "bias" or "logit_scale" without decay, then the rest — each in <c>named_parameters()</c> order
/// (docs/reference-behaviour.md §7), so position j of a group is the j-th name of the same split of our model, checked
/// by count and shape.
/// </summary>
public static class ReferenceOptimizerState
{
    public static Dictionary<string, Tensor> ToNamed(object graph, nn.Module model, string source)
    {
        var root = graph as IReadOnlyDictionary<string, object?> ?? throw Bad(source, "the optimizer entry is not a dict");
        var state = root.GetValueOrDefault("state") as Dictionary<object, object?> ?? throw Bad(source, "optimizer has no 'state' dict keyed by position");
        var groups = (root.GetValueOrDefault("param_groups") as List<object?>)?.Cast<IReadOnlyDictionary<string, object?>>().ToList()
                     ?? throw Bad(source, "optimizer has no 'param_groups' list");
        var split = WeightDecayGroups.Split(model, DecayRule.Reference);
        if (groups.Count != 2)
            throw Bad(source, $"optimizer has {groups.Count} parameter groups; the reference's has 2 (no decay, decay)");
        // The reference lists the no-decay group first; accept the other order when its weight decays say so.
        bool decayFirst = WeightDecay(groups[0]) > 0 && WeightDecay(groups[1]) == 0;
        var names = decayFirst ? new[] { split.Decayed, split.NotDecayed } : new[] { split.NotDecayed, split.Decayed };

        var named = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int g = 0; g < 2; g++)
        {
            var positions = (groups[g].GetValueOrDefault("params") as List<object?>)?.Select(p => Convert.ToInt64(p)).ToList()
                            ?? throw Bad(source, $"parameter group {g} has no 'params' list");
            if (positions.Count != names[g].Count)
                throw Bad(source, $"parameter group {g} holds {positions.Count} parameters, the model's matching group {names[g].Count}: not a checkpoint of this architecture");
            for (int j = 0; j < positions.Count; j++)
            {
                if (!state.TryGetValue(positions[j], out var entry) || entry is not IReadOnlyDictionary<string, object?> moments) continue;
                var (name, parameter) = names[g][j];
                var average = Moment(moments, "exp_avg", name, parameter, source);
                var squared = Moment(moments, "exp_avg_sq", name, parameter, source);
                named[$"{TrainingCheckpoint.OptimizerPrefix}{name}.exp_avg"] = average;
                named[$"{TrainingCheckpoint.OptimizerPrefix}{name}.exp_avg_sq"] = squared;
                named[$"{TrainingCheckpoint.OptimizerPrefix}{name}.step"] = tensor(Step(moments.GetValueOrDefault("step"), name, source));
            }
        }
        return named;
    }

    private static double WeightDecay(IReadOnlyDictionary<string, object?> group) =>
        group.GetValueOrDefault("weight_decay") is { } value ? Convert.ToDouble(value) : 0;

    private static Tensor Moment(IReadOnlyDictionary<string, object?> moments, string key, string name, Parameter parameter, string source)
    {
        if (moments.GetValueOrDefault(key) is not Tensor value)
            throw Bad(source, $"the optimizer state of '{name}' has no {key} tensor");
        if (!value.shape.SequenceEqual(parameter.shape))
            throw Bad(source, $"the optimizer's {key} for '{name}' has shape [{string.Join(", ", value.shape)}], the parameter [{string.Join(", ", parameter.shape)}]: not a checkpoint of this architecture");
        return value;
    }

    private static long Step(object? step, string name, string source) => step switch
    {
        Tensor t => (long)t.to(ScalarType.Float64).item<double>(),
        long l => l,
        double d => (long)d,
        _ => throw Bad(source, $"the optimizer state of '{name}' has no step"),
    };

    private static InvalidDataException Bad(string source, string message) => new($"{source}: {message}");
}
