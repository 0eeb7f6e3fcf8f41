using CleanClip.Data.Pickle;

namespace CleanClip.Checkpoints;

/// <summary>
/// Reads torch.save files in PyTorch's zip format (PyTorch ≥ 1.6; also HF's pytorch_model.bin): a zip holding
/// data.pkl and one record per storage. Only an allow-list of globals is honoured (see <see cref="TorchPickleHost"/>),
/// so loading a file never runs code from it.
/// </summary>
public static class PickleCheckpoint
{
    /// <summary>
    /// The unpickled object: tensors are CPU TorchSharp tensors (views are materialised with their saved size, stride
    /// and offset), dicts are Dictionary&lt;string, object?&gt; in file order (Dictionary&lt;object, object?&gt; when a
    /// key is not a string, e.g. an optimizer's per-parameter state), lists are List&lt;object?&gt;, tuples object?[],
    /// ints long, floats double, plus string, bool, byte[] and null; torch dtypes come back as ScalarType.
    /// The caller owns (and should dispose) the tensors.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointFormatException">Not a PyTorch zip checkpoint, malformed, or refers to a global
    /// outside the allow-list (the message names it).</exception>
    public static object? Load(string path)
    {
        CheckpointFiles.EnsureReadableFile(path);
        var sniffed = CheckpointSniffer.Sniff(path, out var head);
        switch (sniffed)
        {
            case SniffedFormat.Zip:
                break;
            case SniffedFormat.Empty:
                throw new CheckpointFormatException(path, "file is empty");
            case SniffedFormat.LegacyPickle:
                throw new CheckpointFormatException(path, CheckpointSniffer.LegacyMessage);
            default:
                throw new CheckpointFormatException(path,
                    $"not a PyTorch zip checkpoint (first bytes {CheckpointSniffer.Hex(head)})");
        }
        using var archive = OpenArchive(path);
        return Load(path, archive);
    }

    internal static TorchZipArchive OpenArchive(string path)
    {
        try
        {
            return TorchZipArchive.Open(path);
        }
        catch (Exception e) when (CheckpointFiles.IsFormatProblem(e))
        {
            throw new CheckpointFormatException(path, $"not a usable zip archive: {e.Message}", e);
        }
    }

    internal static object? Load(string path, TorchZipArchive archive)
    {
        if (archive.IsTorchScript)
            throw new CheckpointFormatException(path,
                "is a TorchScript archive, not a torch.save checkpoint; read it with TorchScriptCheckpoint.ReadStateDict");
        using var host = TorchPickleHost.ForLoading(archive);
        try
        {
            archive.CheckByteOrder();
            var pickle = archive.ReadRecord("data.pkl", TorchZipArchive.MaxPickleBytes);
            var graph = PickleGraph.Finish(RestrictedUnpickler.Load(pickle, host));
            var kept = PickleGraph.Tensors(graph);
            foreach (var t in host.Created.Where(t => !kept.Contains(t))) t.Dispose();
            return graph;
        }
        catch (Exception e)
        {
            foreach (var t in host.Created) t.Dispose();
            if (CheckpointFiles.IsFormatProblem(e))
                throw new CheckpointFormatException(path, e.Message, e);
            throw;
        }
    }
}
