using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Models;

/// <summary>
/// BatchNorm over [N, C, H, W] with PyTorch's parameter and buffer names (<c>weight</c>, <c>bias</c>,
/// <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>) and its momentum-0.1 running statistics.
/// </summary>
/// <remarks>
/// Replaces TorchSharp 0.107's <c>nn.BatchNorm2d</c>, whose training forward increments the batch counter with an
/// implicitly converted <see cref="Scalar"/> that nothing keeps alive during the native call: a garbage collection
/// triggered by another thread (the decode workers) can finalize it mid-call, and the freed value then fails
/// LibTorch's integer conversion ("Expected false to be true ... toLong", seen once in a 10-epoch demo-rn run) or,
/// for a float op, silently reads garbage. Here the counter's Scalar is a pinned one (<see cref="PinnedScalars"/>).
/// </remarks>
public sealed class BatchNorm2d : nn.Module<Tensor, Tensor>
{
    private const double Momentum = 0.1, Epsilon = 1e-5;

    // Field names are the state-dict names: TorchSharp registers Parameter fields as parameters, Tensor fields as buffers.
#pragma warning disable IDE1006
    public readonly TorchSharp.Modules.Parameter weight, bias;
    public readonly Tensor running_mean, running_var, num_batches_tracked;
#pragma warning restore IDE1006

    public BatchNorm2d(long features) : base(nameof(BatchNorm2d))
    {
        weight = new TorchSharp.Modules.Parameter(ones(features));
        bias = new TorchSharp.Modules.Parameter(zeros(features));
        running_mean = zeros(features);
        running_var = ones(features);
        num_batches_tracked = tensor(0L);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4)
            throw new ArgumentException($"BatchNorm2d expects [N, C, H, W], got {input.dim()} dimensions");
        if (training)
            using (no_grad()) num_batches_tracked.add_(PinnedScalars.OneLong, PinnedScalars.OneLong);
        return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, Momentum, Epsilon);
    }
}
