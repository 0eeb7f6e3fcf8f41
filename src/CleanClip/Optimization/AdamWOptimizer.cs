using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CleanClip.Optimization;

/// <summary>
/// AdamW with PyTorch's update (decoupled decay <c>θ ← θ(1 − lr·wd)</c>, bias-corrected moments, ε added after
/// the square root) whose state is keyed by parameter name, so it is saved into and restored from a checkpoint
/// exactly, and can be mapped from a reference optimizer whose state is keyed by position.
/// </summary>
/// <remarks>TorchSharp's own AdamW keeps its moments private to serialization by position; a named, inspectable
/// state is what bit-identical resume and <c>--restore-optimizer</c> need.</remarks>
public sealed class AdamWOptimizer : IDisposable
{
    public sealed class Group(IReadOnlyList<(string Name, Parameter Parameter)> parameters, double weightDecay)
    {
        public IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; } = parameters;
        public double WeightDecay { get; set; } = weightDecay;
        public double LearningRate { get; set; }
    }

    /// <summary>Moments of one parameter; <see cref="Step"/> counts the updates it has had.</summary>
    public sealed class State(Tensor average, Tensor squaredAverage, long step) : IDisposable
    {
        public Tensor Average { get; } = average;
        public Tensor SquaredAverage { get; } = squaredAverage;
        public long Step { get; set; } = step;
        public void Dispose() { Average.Dispose(); SquaredAverage.Dispose(); }
    }

    private readonly Dictionary<string, State> _state = new(StringComparer.Ordinal);

    public IReadOnlyList<Group> Groups { get; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }
    public IReadOnlyDictionary<string, State> StateByName => _state;

    public AdamWOptimizer(IReadOnlyList<Group> groups, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        var names = groups.SelectMany(g => g.Parameters.Select(p => p.Name)).ToList();
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"parameter '{duplicate.Key}' is in more than one group");
        (Groups, Beta1, Beta2, Epsilon) = (groups, beta1, beta2, epsilon);
    }

    public void SetLearningRate(double rate)
    {
        foreach (var group in Groups) group.LearningRate = rate;
    }

    public void ZeroGrad()
    {
        foreach (var group in Groups)
            foreach (var (_, parameter) in group.Parameters)
                parameter.grad?.zero_();
    }

    /// <summary>One update of every parameter that has a gradient, in PyTorch's operation order.</summary>
    public void Step()
    {
        using var noGrad = no_grad();
        // Explicit, disposed Scalars: an implicitly converted one can be finalized during the native call
        // (see Models.BatchNorm2d), which would silently corrupt the update. The constant ones are made once per step.
        using var beta1 = Beta1.ToScalar();
        using var oneMinusBeta1 = (1 - Beta1).ToScalar();
        using var beta2 = Beta2.ToScalar();
        using var oneMinusBeta2 = (1 - Beta2).ToScalar();
        using var epsilon = Epsilon.ToScalar();
        foreach (var group in Groups)
        {
            using var decay = (1 - group.LearningRate * group.WeightDecay).ToScalar();
            foreach (var (name, parameter) in group.Parameters)
            {
                var grad = parameter.grad;
                if (grad is null) continue;
                if (!_state.TryGetValue(name, out var state))
                    // The moments outlive the caller's per-step dispose scope.
                    _state[name] = state = new State(zeros_like(parameter).DetachFromDisposeScope(), zeros_like(parameter).DetachFromDisposeScope(), 0);
                state.Step++;
                using var correction2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, state.Step)).ToScalar();
                using var stepSize = (-group.LearningRate / (1 - Math.Pow(Beta1, state.Step))).ToScalar();
                parameter.mul_(decay);
                state.Average.mul_(beta1).add_(grad, alpha: oneMinusBeta1);
                state.SquaredAverage.mul_(beta2).addcmul_(grad, grad, value: oneMinusBeta2);
                using var denominator = state.SquaredAverage.sqrt().div_(correction2Sqrt).add_(epsilon);
                parameter.addcdiv_(state.Average, denominator, value: stepSize);
            }
        }
    }

    /// <summary>The state as named tensors: <c>{prefix}{name}.exp_avg</c>, <c>.exp_avg_sq</c>, <c>.step</c> (int64 scalar).</summary>
    public Dictionary<string, Tensor> ToTensors(string prefix)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, state) in _state)
        {
            tensors[$"{prefix}{name}.exp_avg"] = state.Average;
            tensors[$"{prefix}{name}.exp_avg_sq"] = state.SquaredAverage;
            tensors[$"{prefix}{name}.step"] = tensor(state.Step);
        }
        return tensors;
    }

    /// <summary>
    /// Replaces the state with the entries under <paramref name="prefix"/> (as written by <see cref="ToTensors"/>);
    /// every entry must name a parameter of this optimizer with the parameter's shape.
    /// </summary>
    public void LoadTensors(IReadOnlyDictionary<string, Tensor> tensors, string prefix, string source)
    {
        var parameters = Groups.SelectMany(g => g.Parameters).ToDictionary(p => p.Name, p => p.Parameter, StringComparer.Ordinal);
        var loaded = new Dictionary<string, State>(StringComparer.Ordinal);
        try
        {
            foreach (var key in tensors.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k.EndsWith(".step", StringComparison.Ordinal)))
            {
                var name = key[prefix.Length..^".step".Length];
                if (!parameters.TryGetValue(name, out var parameter))
                    throw new InvalidDataException($"{source}: optimizer state for '{name}', which the model does not have");
                var average = Moment(tensors, $"{prefix}{name}.exp_avg", parameter, source);
                var squared = Moment(tensors, $"{prefix}{name}.exp_avg_sq", parameter, source);
                loaded[name] = new State(average, squared, tensors[key].to(ScalarType.Int64).item<long>());
            }
        }
        catch
        {
            foreach (var state in loaded.Values) state.Dispose();
            throw;
        }
        ClearState();
        foreach (var (name, state) in loaded) _state[name] = state;
    }

    private static Tensor Moment(IReadOnlyDictionary<string, Tensor> tensors, string key, Parameter parameter, string source)
    {
        if (!tensors.TryGetValue(key, out var value))
            throw new InvalidDataException($"{source}: optimizer state lacks '{key}'");
        if (!value.shape.SequenceEqual(parameter.shape))
            throw new InvalidDataException($"{source}: '{key}' has shape [{string.Join(", ", value.shape)}], the parameter [{string.Join(", ", parameter.shape)}]");
        return value.to(parameter.dtype, parameter.device).clone().DetachFromDisposeScope();
    }

    private void ClearState()
    {
        foreach (var state in _state.Values) state.Dispose();
        _state.Clear();
    }

    public void Dispose() => ClearState();
}
