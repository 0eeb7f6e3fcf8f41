using TorchSharp;
using CleanClip.Data.Pickle;

namespace CleanClip.Checkpoints;

/// <summary>torch.FloatStorage and friends, as named in a persistent id.</summary>
internal sealed record StorageClass(string Name, torch.ScalarType ElementType);

/// <summary>A torch dtype object (torch pickles torch.float32 as the global of that name).</summary>
internal sealed record TorchDtype(torch.ScalarType Type);

/// <summary>
/// A storage named by data.pkl, read from the archive only when a tensor is rebuilt from it, because only then is the
/// element type of an untyped storage known.
/// </summary>
internal sealed class StorageRef
{
    public required string Key { get; init; }
    public required StorageClass Class { get; init; }
    public required long Numel { get; init; }
    public long ByteCount => checked(Numel * TensorDtypes.ElementSize(Class.ElementType));
}
