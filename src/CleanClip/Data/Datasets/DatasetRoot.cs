namespace CleanClip.Data;

/// <summary>
/// The folder a table's image paths are relative to, as the reference joins them (<c>os.path.join(dirname(csv), path)</c>:
/// an absolute path replaces the folder), and whether a path really stays inside it once symbolic links are followed.
/// </summary>
internal sealed class DatasetRoot
{
    private const int MaxLinkDepth = 40;

    private readonly string _realRoot;
    // Rows of a table share a handful of folders: resolving each folder once keeps the check to one lstat per row.
    private readonly Dictionary<string, string> _realFolders = new(StringComparer.Ordinal);

    public string Path { get; }

    /// <summary><see cref="Path"/> with every symbolic link along it followed.</summary>
    public string RealFolder => _realRoot;

    public DatasetRoot(string folder)
    {
        Path = System.IO.Path.GetFullPath(folder);
        _realRoot = RealPath(Path, 0);
    }

    /// <summary>The full path of <paramref name="written"/>, normalised (<c>..</c> folded) but with links left as they are.</summary>
    public string Resolve(string written) => System.IO.Path.GetFullPath(System.IO.Path.Combine(Path, written));

    /// <summary>Whether <paramref name="fullPath"/>, with every symbolic link along it followed, lies under the root.</summary>
    public bool Contains(string fullPath)
    {
        var real = RealPath(fullPath, 0);
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var prefix = _realRoot.EndsWith(System.IO.Path.DirectorySeparatorChar) ? _realRoot : _realRoot + System.IO.Path.DirectorySeparatorChar;
        return real.StartsWith(prefix, comparison);
    }

    /// <summary>
    /// The containment rule of every table reader: a row whose image lies outside the root (by <c>..</c>, an absolute
    /// path, or a symbolic link anywhere along it) is skipped with <see cref="SkipReason.OutsideRoot"/>, unless the
    /// caller allows images outside the root.
    /// </summary>
    public SkippedRow? OutsideRoot(int line, string written, string fullPath, bool allowOutsideRoot) =>
        allowOutsideRoot || Contains(fullPath) ? null
        : new SkippedRow(line, written, SkipReason.OutsideRoot, $"{fullPath} is not under {Path}");

    /// <summary>Whether <paramref name="path"/> is a file that can be opened: a link must lead to one (File.Exists alone says yes to a dangling link).</summary>
    public static bool IsFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) return false;
        if (info.LinkTarget is null) return true;
        try
        {
            return info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo { Exists: true };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// <paramref name="fullPath"/> with every link in it replaced by its final target, like POSIX realpath but also
    /// for paths that do not exist (their missing tail is kept as written).
    /// </summary>
    private string RealPath(string fullPath, int depth)
    {
        var parent = System.IO.Path.GetDirectoryName(fullPath);
        if (parent is null) return fullPath;
        if (!_realFolders.TryGetValue(parent, out var realParent))
            _realFolders[parent] = realParent = RealPath(parent, depth);
        var candidate = System.IO.Path.Combine(realParent, System.IO.Path.GetFileName(fullPath));
        try
        {
            var info = new FileInfo(candidate);
            if (info.LinkTarget is null) return candidate;
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            // The target's own folders may be links too, hence the recursion; the depth bound stops link cycles.
            return target is null || depth >= MaxLinkDepth ? candidate : RealPath(System.IO.Path.GetFullPath(target.FullName), depth + 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A link cycle or an unreadable folder: the image cannot be opened, which the existence check reports.
            return candidate;
        }
    }
}
