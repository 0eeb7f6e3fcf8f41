using CleanClip.Data;

namespace CleanClip;

/// <summary>
/// Proof that a folder was written by a command: a marker file whose text is the command's format tag, written into
/// the folder before anything else. A command replaces or deletes a folder only through this proof, never because of
/// a file name it happens to find there, and never a folder that holds, lies inside, or contains one of its inputs.
/// </summary>
public static class OwnedFolder
{
    public const string MarkerName = ".cleanclip-owner";

    /// <summary>Creates <paramref name="folder"/> (empty or new) and marks it as written under <paramref name="tag"/>.</summary>
    public static void Create(string folder, string tag)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, MarkerName), tag);
    }

    /// <summary>Whether <paramref name="folder"/> is a real folder (not a link) whose marker holds exactly <paramref name="tag"/>.</summary>
    public static bool IsOwned(string folder, string tag)
    {
        var info = new DirectoryInfo(folder);
        if (!info.Exists || info.LinkTarget is not null) return false;
        var marker = new FileInfo(Path.Combine(folder, MarkerName));
        if (!marker.Exists || marker.LinkTarget is not null || marker.Length > 4096) return false;
        try
        {
            return File.ReadAllText(marker.FullName) == tag;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether a command may make <paramref name="folder"/> its own under <paramref name="tag"/>: it does not exist, holds
    /// nothing (apart from entries <paramref name="ignore"/> accepts, such as a sweep runner's log in a point's folder),
    /// or already carries the command's marker.
    /// </summary>
    public static bool MayClaim(string folder, string tag, Func<string, bool>? ignore = null) =>
        !Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any(e => ignore?.Invoke(e) != true) || IsOwned(folder, tag);

    /// <summary>
    /// Deletes <paramref name="folder"/> after checking its marker and that it does not overlap any of
    /// <paramref name="inputs"/>. The marker goes last, so a delete that is interrupted leaves a folder still proven.
    /// </summary>
    /// <exception cref="IOException">The folder is not proven to be written under <paramref name="tag"/>, or it overlaps an input.</exception>
    public static void Delete(string folder, string tag, IEnumerable<string> inputs)
    {
        if (!IsOwned(folder, tag))
            throw new IOException($"{folder} holds no {MarkerName} marker of '{tag}', so it was not written by this command; refusing to delete it");
        EnsureApart(folder, inputs, "delete");
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            if (entry.Name == MarkerName) continue;
            // A link is removed itself, never followed.
            if (entry is DirectoryInfo directory && directory.LinkTarget is null) directory.Delete(recursive: true);
            else entry.Delete();
        }
        File.Delete(Path.Combine(folder, MarkerName));
        Directory.Delete(folder);
    }

    /// <summary>
    /// Throws when <paramref name="folder"/>, once links are followed, is one of <paramref name="inputs"/>, holds one, or
    /// lies inside one.
    /// </summary>
    /// <param name="action">What would be done to the folder, for the message ("replace", "delete").</param>
    public static void EnsureApart(string folder, IEnumerable<string> inputs, string action)
    {
        var output = new DatasetRoot(folder);
        foreach (var input in inputs)
        {
            var inputRoot = new DatasetRoot(input);
            if (output.RealFolder == inputRoot.RealFolder || output.Contains(inputRoot.Path) || inputRoot.Contains(output.Path))
                throw new IOException($"refusing to {action} {output.Path}: it holds, is, or lies inside the input {input}");
        }
    }
}
