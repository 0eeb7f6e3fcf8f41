namespace CleanClip.Checkpoints;

/// <summary>
/// A checkpoint file that cannot be used: malformed, truncated, of an unknown format, or whose keys do not fit the
/// model. The message names the file and what was expected; nothing is half-loaded when it is thrown.
/// </summary>
public sealed class CheckpointFormatException : Exception
{
    public string? FilePath { get; }

    public CheckpointFormatException(string? filePath, string message, Exception? inner = null)
        : base(filePath is null ? message : $"{filePath}: {message}", inner)
    {
        FilePath = filePath;
    }
}
