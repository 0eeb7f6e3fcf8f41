using System.Runtime.InteropServices;

namespace CleanClip.Checkpoints;

/// <summary>Checks shared by every reader before a file is opened, so each fails the same clear way.</summary>
internal static class CheckpointFiles
{
    public static void EnsureReadableFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
            throw new CheckpointFormatException(path, "is a directory, not a checkpoint file");
        if (!File.Exists(path))
            throw new FileNotFoundException($"checkpoint file not found: {path}", path);
    }

    /// <summary>The first <paramref name="count"/> bytes (fewer when the file is shorter).</summary>
    public static byte[] ReadPrefix(string path, int count)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var buffer = new byte[Math.Min(count, stream.Length)];
        stream.ReadExactly(buffer);
        return buffer;
    }

    /// <summary>
    /// Exceptions that a malformed file can provoke in our parsers, in System.IO.Compression or in LibTorch (which
    /// reports through ExternalException and ArgumentException). They become CheckpointFormatException; anything
    /// else (out of memory, a bug) is left to surface as itself.
    /// </summary>
    public static bool IsFormatProblem(Exception e) =>
        e is InvalidDataException or EndOfStreamException or OverflowException or InvalidCastException
            or ExternalException or ArgumentException or (IOException and not FileNotFoundException);

    public static string FirstLine(string message)
    {
        int end = message.IndexOfAny(new[] { '\r', '\n' });
        return end < 0 ? message : message[..end];
    }
}
