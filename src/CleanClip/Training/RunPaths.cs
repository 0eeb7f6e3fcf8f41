namespace CleanClip.Training;

/// <summary>
/// Paths a run stores (in config.json and every checkpoint's state) are absolute, so that <c>--resume</c> finds the
/// files from any working directory.
/// </summary>
internal static class RunPaths
{
    /// <summary>A checkpoint file or folder made absolute; a registry name (no such file) stays a name.</summary>
    public static string ModelNameOrFullPath(string nameOrPath) =>
        File.Exists(nameOrPath) || Directory.Exists(nameOrPath) ? Path.GetFullPath(nameOrPath) : nameOrPath;

    public static string? Full(string? path) => path is null ? null : Path.GetFullPath(path);
}
