using TorchSharp;
using static TorchSharp.torch;
using CleanClip.Data.Pickle;

namespace CleanClip.Checkpoints;

/// <summary>
/// Reads the weights of a TorchScript archive (OpenAI's released CLIP .pt files are TorchScript) through LibTorch's
/// own loader. The archive is checked to be TorchScript first, because torch.jit.load fails badly on other input.
/// </summary>
public static class TorchScriptCheckpoint
{
    /// <summary>
    /// Named parameters, then named buffers (scalar buffers included), detached CPU tensors the caller owns.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="CheckpointFormatException">Not a TorchScript archive, or LibTorch cannot load it.</exception>
    public static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        CheckpointFiles.EnsureReadableFile(path);
        var sniffed = CheckpointSniffer.Sniff(path, out _);
        if (sniffed != SniffedFormat.Zip)
            throw new CheckpointFormatException(path, sniffed == SniffedFormat.LegacyPickle
                ? CheckpointSniffer.LegacyMessage
                : "not a TorchScript archive (not a zip file)");
        using (var archive = PickleCheckpoint.OpenArchive(path))
        {
            if (!archive.IsTorchScript)
                throw new CheckpointFormatException(path,
                    "not a TorchScript archive (no constants.pkl or code/ folder); for torch.save checkpoints use " +
                    "PickleCheckpoint.Load or CheckpointReader.Read");
            CheckBeforeJitLoad(path, archive);
        }

        jit.ScriptModule module;
        try
        {
            module = jit.load(path, DeviceType.CPU);
        }
        catch (Exception e) when (CheckpointFiles.IsFormatProblem(e))
        {
            throw new CheckpointFormatException(path, $"torch.jit.load failed: {CheckpointFiles.FirstLine(e.Message)}", e);
        }
        using (module)
        {
            var result = new Dictionary<string, Tensor>();
            try
            {
                foreach (var (name, p) in module.named_parameters())
                    using (p) result.Add(name, p.detach());
                foreach (var (name, b) in module.named_buffers())
                    using (b) result.Add(name, b.detach());
                return result;
            }
            catch (Exception e)
            {
                foreach (var t in result.Values) t.Dispose();
                if (CheckpointFiles.IsFormatProblem(e))
                    throw new CheckpointFormatException(path, $"reading TorchScript weights failed: {e.Message}", e);
                throw;
            }
        }
    }

    /// <summary>
    /// What LibTorch does not check safely: record checksums (corrupt code aborts the process) and, by running data.pkl
    /// through the restricted unpickler in check-only mode, storage record sizes and tensor views.
    /// </summary>
    private static void CheckBeforeJitLoad(string path, TorchZipArchive archive)
    {
        try
        {
            archive.VerifyNonStorageChecksums();
            using var host = TorchPickleHost.ForTorchScriptCheck(archive);
            RestrictedUnpickler.Load(archive.ReadRecord("data.pkl", TorchZipArchive.MaxPickleBytes), host);
        }
        catch (Exception e) when (CheckpointFiles.IsFormatProblem(e))
        {
            throw new CheckpointFormatException(path, e.Message, e);
        }
    }
}
