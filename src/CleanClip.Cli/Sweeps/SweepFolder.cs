using CleanClip.Sweeps;

namespace CleanClip.Cli.Sweeps;

/// <summary>
/// A sweep's output folder, held for one invocation: a new or empty folder, or one with a sweep.json; locked
/// (<see cref="LockName"/>, an advisory lock the system releases when the process ends) so two sweeps never run the
/// same points at once.
/// </summary>
public sealed class SweepFolder : IDisposable
{
    public const string LockName = ".sweep.lock";

    public string Path { get; }
    private readonly FileStream _lock;

    private SweepFolder(string path, FileStream lockFile) => (Path, _lock) = (path, lockFile);

    public string PointsFolder => System.IO.Path.Combine(Path, "points");

    /// <exception cref="ArgumentException">The folder holds files of something else, or another sweep holds it.</exception>
    public static SweepFolder Open(string folder)
    {
        var full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(folder));
        if (File.Exists(full)) throw new ArgumentException($"--out {folder} is a file; a sweep writes a folder");
        if (Directory.Exists(full) && !File.Exists(SweepRecord.PathIn(full))
            && Directory.EnumerateFileSystemEntries(full).Any(e => System.IO.Path.GetFileName(e) != LockName))
            throw new ArgumentException($"--out {folder} holds files but no {SweepRecord.FileName}, so it is not a sweep's folder; choose a new or empty one");
        Directory.CreateDirectory(full);
        try
        {
            var lockFile = new FileStream(System.IO.Path.Combine(full, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new SweepFolder(full, lockFile);
        }
        catch (IOException e)
        {
            throw new ArgumentException($"--out {folder}: another cleanclip sweep is running on it ({LockName} is locked: {e.Message})", e);
        }
    }

    public void Dispose() => _lock.Dispose();
}
