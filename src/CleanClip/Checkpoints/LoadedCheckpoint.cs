using TorchSharp;

namespace CleanClip.Checkpoints;

public enum CheckpointFormat
{
    Safetensors,
    /// <summary>torch.save in PyTorch's zip format (.pt, .pth, .bin).</summary>
    PyTorchZip,
    TorchScript,
}

public sealed record CheckpointReadOptions
{
    public static CheckpointReadOptions Default { get; } = new();

    /// <summary>Widen float16 and bfloat16 state-dict tensors to float32 (OpenAI's released weights are fp16 and the
    /// project trains in fp32). Float64 and integer tensors are left as they are.</summary>
    public bool ToFloat32 { get; init; } = true;

    /// <summary>
    /// Open TorchScript archives (OpenAI's released .pt files). LibTorch's loader compiles the archive's code and runs
    /// its <c>__setstate__</c> methods, so a file from an untrusted source could run code: off unless the user says so
    /// (<c>--trust-torchscript</c>). safetensors and torch.save checkpoints never need it.
    /// </summary>
    public bool TrustTorchScript { get; init; }

    public static CheckpointReadOptions Trusting(bool torchScript) => torchScript ? new() { TrustTorchScript = true } : Default;
}

/// <summary>
/// A model checkpoint reduced to what the project uses. <see cref="StateDict"/> holds only tensors, with a DDP
/// "module." prefix removed. <see cref="Scalars"/> holds the integer hyper-parameters that OpenAI's TorchScript files
/// keep as state-dict entries (input_resolution, context_length, vocab_size), taken out of the state dict.
/// <see cref="Optimizer"/> is the raw optimizer state graph (see <see cref="PickleCheckpoint.Load"/>) when the file
/// carries one. Disposing releases every tensor it holds.
/// </summary>
public sealed record LoadedCheckpoint(
    Dictionary<string, torch.Tensor> StateDict,
    CheckpointFormat Format,
    int? Epoch,
    string? Name,
    object? Optimizer,
    Dictionary<string, long> Scalars) : IDisposable
{
    /// <summary>A safetensors file's <c>__metadata__</c> (CleanClip stores the model config there); empty otherwise.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public void Dispose()
    {
        foreach (var t in StateDict.Values) t.Dispose();
        foreach (var t in PickleGraph.Tensors(Optimizer)) t.Dispose();
    }
}
