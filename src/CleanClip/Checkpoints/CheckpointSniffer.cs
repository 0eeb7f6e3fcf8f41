namespace CleanClip.Checkpoints;

internal enum SniffedFormat { Empty, Zip, LegacyPickle, Safetensors, Unknown }

/// <summary>Tells the formats apart by their first bytes, never by the file name (.pt, .pth, .bin, .ckpt all vary).</summary>
internal static class CheckpointSniffer
{
    public const string LegacyMessage =
        "legacy PyTorch format (pre-1.6) is not supported; re-save with torch.save(..., _use_new_zipfile_serialization=True)";

    public static SniffedFormat Sniff(string path, out byte[] head)
    {
        head = CheckpointFiles.ReadPrefix(path, 16);
        if (head.Length == 0) return SniffedFormat.Empty;
        // Local file header, or the end-of-directory record that starts an empty zip.
        if (head.Length >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2], head[3]) is (3, 4) or (5, 6))
            return SniffedFormat.Zip;
        // A pickle PROTO opcode: the old torch.save format starts with its magic number pickled right after it.
        if (head.Length >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5) return SniffedFormat.LegacyPickle;
        // safetensors: an 8-byte length, then the JSON header's opening brace.
        if (head.Length >= 9 && head[8] == '{') return SniffedFormat.Safetensors;
        return SniffedFormat.Unknown;
    }

    public static string Hex(byte[] head) => string.Join(" ", head.Take(8).Select(b => b.ToString("x2")));
}
