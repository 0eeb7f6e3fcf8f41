using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CleanClip.Poisoning.Dataset;

/// <summary>
/// What already stands at a poisoned set's place (NAME.csv and NAME/ beside the input), and how a new set replaces it.
/// Only a set this command wrote is ever replaced: NAME/ must carry the poison marker for NAME and hold nothing the
/// command does not write, and NAME.csv must hash to the table its manifest records. A user's folder or table of
/// the same name is refused, never deleted, whatever <c>--overwrite</c> says.
/// </summary>
internal sealed partial class PoisonSetFolder
{
    public const string Format = "cleanclip-poison/1";
    public const string ManifestName = "manifest.json";
    /// <summary>The table inside the staging folder, renamed to NAME.csv when the set is published.</summary>
    public const string TableName = "table.csv";

    [GeneratedRegex(@"^\d{6}_.*\.png$")]
    private static partial Regex ImageFile();

    private readonly string _table, _folder, _name;
    private readonly IReadOnlyList<string> _inputs;
    private readonly bool _tableExists, _folderIsOurs, _folderIsEmpty;

    /// <summary>Whether publishing replaces a complete earlier set, which needs --overwrite.</summary>
    public bool NeedsOverwrite { get; }

    private PoisonSetFolder(string table, string folder, string name, IReadOnlyList<string> inputs,
        bool tableExists, bool folderIsOurs, bool folderIsEmpty, bool needsOverwrite)
    {
        (_table, _folder, _name, _inputs) = (table, folder, name, inputs);
        (_tableExists, _folderIsOurs, _folderIsEmpty, NeedsOverwrite) = (tableExists, folderIsOurs, folderIsEmpty, needsOverwrite);
    }

    /// <summary>The marker text of a set (and of its staging folders) named <paramref name="name"/>.</summary>
    public static string Tag(string name) => $"{Format} {name}";

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <exception cref="IOException">NAME/ or NAME.csv exists and is not proven to be a set this command wrote, or NAME/ overlaps an input.</exception>
    public static PoisonSetFolder Inspect(string table, string folder, string name, IReadOnlyList<string> inputs)
    {
        OwnedFolder.EnsureApart(folder, inputs, "write the poisoned set into");
        var tableInfo = new FileInfo(table);
        bool tableExists = tableInfo.Exists || tableInfo.LinkTarget is not null;
        if (Directory.Exists(table)) throw new IOException($"{table} is a folder, not a table written by cleanclip poison; choose another --name");
        var folderInfo = new DirectoryInfo(folder);
        if (File.Exists(folder) || folderInfo.LinkTarget is not null)
            throw new IOException($"{folder} is a file or a link, not a poisoned set written by cleanclip poison; choose another --name");
        bool folderExists = folderInfo.Exists;
        bool folderIsEmpty = folderExists && !folderInfo.EnumerateFileSystemInfos().Any();
        bool folderIsOurs = folderExists && !folderIsEmpty && IsOwnSet(folder, name, out _);
        if (folderExists && !folderIsEmpty && !folderIsOurs)
        {
            IsOwnSet(folder, name, out var why);
            throw new IOException($"{folder} is not a poisoned set written by cleanclip poison ({why}); refusing to replace it: choose another --name or move it away");
        }
        if (tableExists && !(folderIsOurs && TableIsOurs(table, folder)))
            throw new IOException($"{table} exists and is not the table of a poisoned set written by cleanclip poison "
                + $"(its hash is not the one {Path.Combine(folder, ManifestName)} records); refusing to replace it: choose another --name or move it away");
        // NAME/ holding its own table.csv with no NAME.csv is a publish killed between its two renames: never a
        // complete set, so finishing it needs no --overwrite.
        bool interruptedPublish = folderIsOurs && !tableExists && File.Exists(Path.Combine(folder, TableName));
        bool needsOverwrite = tableExists || (folderIsOurs && !interruptedPublish);
        return new PoisonSetFolder(table, folder, name, inputs, tableExists, folderIsOurs, folderIsEmpty, needsOverwrite);
    }

    /// <summary>Removes staging and set-aside folders of killed runs of this set; anything not proven to be ours stays.</summary>
    public static void RemoveStale(string root, string name, IReadOnlyList<string> inputs)
    {
        foreach (var pattern in new[] { $".{name}.partial-*", $".{name}.old-*" })
            foreach (var stale in Directory.GetDirectories(root, pattern))
            {
                if (IsOwnSet(stale, name, out _)) OwnedFolder.Delete(stale, Tag(name), inputs);
                // A run killed between creating its staging folder and marking it leaves it empty: nothing to lose.
                else if (new DirectoryInfo(stale) is { LinkTarget: null } info && !info.EnumerateFileSystemInfos().Any()) info.Delete();
            }
    }

    /// <summary>
    /// Puts the complete set in <paramref name="staging"/> in place: the old table goes first and the new one comes
    /// last, so at every moment either no table exists or a complete one does; the old folder is moved aside before
    /// it is deleted, so a kill never leaves it half-deleted at NAME/.
    /// </summary>
    public void Publish(string staging)
    {
        if (_tableExists) File.Delete(_table);
        string? old = null;
        if (_folderIsOurs)
        {
            old = Path.Combine(Path.GetDirectoryName(_folder)!, $".{_name}.old-{Guid.NewGuid():N}");
            Directory.Move(_folder, old);
        }
        else if (_folderIsEmpty)
        {
            Directory.Delete(_folder);   // not recursive: fails rather than delete anything that appeared since
        }
        Directory.Move(staging, _folder);
        File.Move(Path.Combine(_folder, TableName), _table);
        if (old is not null) OwnedFolder.Delete(old, Tag(_name), _inputs);
    }

    /// <summary>Whether <paramref name="folder"/> carries the marker of set <paramref name="name"/> and holds only files the command writes.</summary>
    private static bool IsOwnSet(string folder, string name, out string why)
    {
        why = "";
        if (!OwnedFolder.IsOwned(folder, Tag(name)))
        {
            why = $"no {OwnedFolder.MarkerName} marker of '{Tag(name)}'";
            return false;
        }
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            bool ours = entry.LinkTarget is null && entry switch
            {
                FileInfo file => file.Name is OwnedFolder.MarkerName or ManifestName or TableName,
                DirectoryInfo images => images.Name == "images" && images.EnumerateFileSystemInfos()
                    .All(i => i is FileInfo { LinkTarget: null } && ImageFile().IsMatch(i.Name)),
                _ => false,
            };
            if (!ours)
            {
                why = $"it holds {entry.FullName}, which cleanclip poison does not write";
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether <paramref name="table"/> is a regular file whose hash is the one the set's manifest records.</summary>
    private static bool TableIsOurs(string table, string folder)
    {
        if (new FileInfo(table).LinkTarget is not null) return false;
        try
        {
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, ManifestName)));
            return manifest.RootElement.TryGetProperty("table", out var recorded)
                && recorded.TryGetProperty("sha256", out var hash)
                && hash.GetString() == Sha256(table);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or InvalidOperationException)
        {
            return false;
        }
    }
}
