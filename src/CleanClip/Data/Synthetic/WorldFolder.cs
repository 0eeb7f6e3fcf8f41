namespace CleanClip.Data.Synthetic;

/// <summary>
/// Builds a world in a hidden sibling folder and renames it into place only when complete, so an interrupted run
/// never leaves a folder that looks like a world (and never half-replaces an old one).
/// </summary>
internal sealed class WorldFolder : IDisposable
{
    public string Target { get; }
    /// <summary>Where the files go while the world is built: same parent, so the final rename stays on one file system.</summary>
    public string Staging { get; }
    private bool _committed;

    private WorldFolder(string target, string staging)
    {
        Target = target;
        Staging = staging;
    }

    /// <exception cref="InvalidOperationException">The target holds files and replacing it is not allowed or not safe.</exception>
    public static WorldFolder Begin(string outDir, bool overwrite)
    {
        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDir));
        if (File.Exists(target)) throw new InvalidOperationException($"{target} is a file, not a folder");
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            if (!overwrite)
                throw new InvalidOperationException($"output folder {target} is not empty; pass --overwrite to replace the world in it");
            // Overwrite deletes the folder, so it must be one of ours: a typo must not wipe an unrelated folder, nor
            // one that merely holds a file of the manifest's name.
            if (new DirectoryInfo(target).LinkTarget is not null || !WorldManifest.IsWorldManifest(Path.Combine(target, SyntheticWorld.ManifestName)))
                throw new InvalidOperationException($"output folder {target} is not empty and holds no {SyntheticWorld.ManifestName} of format '{WorldManifest.Format}', so it is not a synthetic world; refusing to replace it");
        }
        var parent = Path.GetDirectoryName(target) ?? throw new InvalidOperationException($"{target} has no parent folder");
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.synth-{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        return new WorldFolder(target, staging);
    }

    public void Commit()
    {
        if (Directory.Exists(Target))
        {
            // Move the old world aside first: the window in which Target is missing is two renames, never a half world.
            var old = Path.Combine(Path.GetDirectoryName(Target)!, $".{Path.GetFileName(Target)}.old-{Guid.NewGuid():N}.tmp");
            Directory.Move(Target, old);
            Directory.Move(Staging, Target);
            Directory.Delete(old, recursive: true);
        }
        else
        {
            Directory.Move(Staging, Target);
        }
        _committed = true;
    }

    /// <summary>Removes the staging folder unless the world was committed.</summary>
    public void Dispose()
    {
        if (_committed) return;
        try { Directory.Delete(Staging, recursive: true); }
        catch (IOException) { /* the failure that got us here matters more than a leftover hidden folder */ }
    }
}
