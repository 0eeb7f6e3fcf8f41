using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Checkpoints;

/// <summary>One entry point for every checkpoint the project meets: safetensors, torch.save zips, TorchScript.</summary>
public static class CheckpointReader
{
    /// <summary>State-dict entries of OpenAI's TorchScript CLIP that are hyper-parameters, not weights.</summary>
    public static readonly IReadOnlyList<string> ScalarKeys = new[] { "input_resolution", "context_length", "vocab_size" };

    private const string DdpPrefix = "module.";

    /// <summary>
    /// Reads <paramref name="path"/>, detecting its format from its bytes, and normalises the result: the
    /// state dict is unwrapped from a training checkpoint, a "module." prefix is dropped when every key has it,
    /// <see cref="ScalarKeys"/> move to <see cref="LoadedCheckpoint.Scalars"/>, and (by default) fp16/bf16 become fp32.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointFormatException">A directory, an empty, truncated, corrupt or unsupported file.</exception>
    public static LoadedCheckpoint Read(string path, CheckpointReadOptions? options = null)
    {
        options ??= CheckpointReadOptions.Default;
        CheckpointFiles.EnsureReadableFile(path);
        var sniffed = CheckpointSniffer.Sniff(path, out var head);
        var loaded = sniffed switch
        {
            SniffedFormat.Safetensors => ReadSafetensors(path),
            SniffedFormat.Zip => ReadZip(path, options),
            SniffedFormat.Empty => throw new CheckpointFormatException(path, "file is empty"),
            SniffedFormat.LegacyPickle => throw new CheckpointFormatException(path, CheckpointSniffer.LegacyMessage),
            _ => throw new CheckpointFormatException(path,
                $"unrecognised checkpoint format (first bytes {CheckpointSniffer.Hex(head)}): expected safetensors, " +
                "a PyTorch zip checkpoint (torch.save) or a TorchScript archive"),
        };
        try
        {
            return Normalize(loaded, options);
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    /// <summary>Training checkpoints also hold optimizer moments (keys under "optimizer."): those are not model weights.</summary>
    private static LoadedCheckpoint ReadSafetensors(string path)
    {
        var metadata = Safetensors.ReadMetadata(path);
        var tensors = Safetensors.Read(path);
        if (metadata.ContainsKey("cleanclip.training"))
            foreach (var key in tensors.Keys.Where(k => k.StartsWith("optimizer.", StringComparison.Ordinal)).ToList())
            {
                tensors[key].Dispose();
                tensors.Remove(key);
            }
        return new LoadedCheckpoint(tensors, CheckpointFormat.Safetensors, null, null, null, new Dictionary<string, long>()) { Metadata = metadata };
    }

    /// <summary>The message for a TorchScript archive opened without <see cref="CheckpointReadOptions.TrustTorchScript"/>.</summary>
    public const string UntrustedTorchScriptMessage =
        "is a TorchScript archive: loading it compiles and runs code stored in the file (LibTorch's TorchScript " +
        "loader), so it is refused by default. If you trust where it came from (e.g. OpenAI's own CLIP download), pass " +
        "--trust-torchscript; or convert it once on a trusted machine to safetensors or a plain state dict " +
        "(python: torch.save(torch.jit.load(path, map_location='cpu').state_dict(), 'weights.pt')) and use that file";

    private static LoadedCheckpoint ReadZip(string path, CheckpointReadOptions options)
    {
        using (var archive = PickleCheckpoint.OpenArchive(path))
        {
            if (!archive.IsTorchScript)
                return CheckpointUnwrapper.Unwrap(path, PickleCheckpoint.Load(path, archive));
        }
        if (!options.TrustTorchScript)
            throw new CheckpointFormatException(path, UntrustedTorchScriptMessage);
        return new LoadedCheckpoint(TorchScriptCheckpoint.ReadStateDict(path), CheckpointFormat.TorchScript,
            null, null, null, new Dictionary<string, long>());
    }

    private static LoadedCheckpoint Normalize(LoadedCheckpoint loaded, CheckpointReadOptions options)
    {
        var source = loaded.StateDict;
        bool strip = source.Count > 0 && source.Keys.All(k => k.StartsWith(DdpPrefix, StringComparison.Ordinal));
        var stateDict = new Dictionary<string, Tensor>(source.Count);
        var scalars = new Dictionary<string, long>();
        try
        {
            foreach (var (key, tensor) in source)
            {
                var name = strip ? key[DdpPrefix.Length..] : key;
                if (ScalarKeys.Contains(name) && tensor.numel() == 1)
                {
                    using var asLong = tensor.to(ScalarType.Int64);
                    scalars[name] = asLong.item<long>();
                    tensor.Dispose();
                }
                else if (options.ToFloat32 && tensor.dtype is ScalarType.Float16 or ScalarType.BFloat16)
                {
                    stateDict[name] = tensor.to(ScalarType.Float32);
                    tensor.Dispose();
                }
                else
                    stateDict[name] = tensor;
            }
        }
        catch
        {
            foreach (var t in stateDict.Values) t.Dispose();
            throw;
        }
        return loaded with { StateDict = stateDict, Scalars = scalars };
    }
}
