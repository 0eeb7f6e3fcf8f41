using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CleanClip.Poisoning.Dataset;

/// <summary>
/// What already stands at a poisoned set's place, and how a new set replaces it. A CSV set is NAME.csv plus the folder
/// NAME/ (triggered images, manifest); a WebDataset set is the folder NAME/ alone (shards, manifest). Only a set this
/// command wrote in the same format is ever replaced: NAME/ must carry the poison marker for NAME and that format and
/// hold nothing the command does not write, and a CSV set's NAME.csv must hash to the table its manifest records. A
/// user's folder or table of the same name, or a set of the other format, is refused, never deleted, whatever
/// <c>--overwrite</c> says.
/// </summary>
internal sealed partial class PoisonSetFolder
{
    public const string Format = "cleanclip-poison/1";
    public const string ManifestName = "manifest.json";
    /// <summary>The table inside the staging folder, renamed to NAME.csv when the set is published.</summary>
    public const string TableName = "table.csv";

    [GeneratedRegex(@"^\d{6}_.*\.png$")]
    private static partial Regex ImageFile();

    [GeneratedRegex(@"^\d{6}\.tar$")]
    private static partial Regex ShardFile();

    private readonly string? _table;
    private readonly string _folder, _name;
    private readonly PoisonOutputFormat _format;
    private readonly IReadOnlyList<string> _inputs;
    private readonly bool _tableExists, _folderIsOurs, _folderIsEmpty;

    /// <summary>Whether publishing replaces a complete earlier set, which needs --overwrite.</summary>
    public bool NeedsOverwrite { get; }

    private PoisonSetFolder(string? table, string folder, string name, PoisonOutputFormat format, IReadOnlyList<string> inputs,
        bool tableExists, bool folderIsOurs, bool folderIsEmpty, bool needsOverwrite)
    {
        (_table, _folder, _name, _format, _inputs) = (table, folder, name, format, inputs);
        (_tableExists, _folderIsOurs, _folderIsEmpty, NeedsOverwrite) = (tableExists, folderIsOurs, folderIsEmpty, needsOverwrite);
    }

    /// <summary>The marker text of a set (and of its staging folders) named <paramref name="name"/> in <paramref name="format"/>.</summary>
    public static string Tag(string name, PoisonOutputFormat format) =>
        format == PoisonOutputFormat.Csv ? $"{Format} {name}" : $"cleanclip-poison-webdataset/1 {name}";

    /// <summary>The file name of shard <paramref name="index"/> of a WebDataset set: <c>000000.tar</c>, <c>000001.tar</c>, ….</summary>
    public static string ShardName(int index) => $"{index:D6}.tar";

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <param name="table">NAME.csv of a CSV set; null for a WebDataset set, which is the folder alone.</param>
    /// <exception cref="IOException">NAME/ or NAME.csv exists and is not proven to be a set this command wrote in <paramref name="format"/>, or NAME/ overlaps an input.</exception>
    public static PoisonSetFolder Inspect(string? table, string folder, string name, PoisonOutputFormat format, IReadOnlyList<string> inputs)
    {
        OwnedFolder.EnsureApart(folder, inputs, "write the poisoned set into");
        var tableInfo = table is null ? null : new FileInfo(table);
        bool tableExists = tableInfo is not null && (tableInfo.Exists || tableInfo.LinkTarget is not null);
        if (table is not null && Directory.Exists(table)) throw new IOException($"{table} is a folder, not a table written by cleanclip poison; choose another --name");
        var folderInfo = new DirectoryInfo(folder);
        if (File.Exists(folder) || folderInfo.LinkTarget is not null)
            throw new IOException($"{folder} is a file or a link, not a poisoned set written by cleanclip poison; choose another --name");
        bool folderExists = folderInfo.Exists;
        bool folderIsEmpty = folderExists && !folderInfo.EnumerateFileSystemInfos().Any();
        bool folderIsOurs = folderExists && !folderIsEmpty && IsOwnSet(folder, name, format, out _);
        if (folderExists && !folderIsEmpty && !folderIsOurs) throw NotOurs(folder, name, format);
        if (tableExists && !(folderIsOurs && TableIsOurs(table!, folder)))
            throw new IOException($"{table} exists and is not the table of a poisoned set written by cleanclip poison "
                + $"(its hash is not the one {Path.Combine(folder, ManifestName)} records); refusing to replace it: choose another --name or move it away");
        // NAME/ holding its own table.csv with no NAME.csv is a publish killed between its two renames: never a
        // complete set, so finishing it needs no --overwrite. A WebDataset set is published by one rename.
        bool interruptedPublish = table is not null && folderIsOurs && !tableExists && File.Exists(Path.Combine(folder, TableName));
        bool needsOverwrite = tableExists || (folderIsOurs && !interruptedPublish);
        return new PoisonSetFolder(table, folder, name, format, inputs, tableExists, folderIsOurs, folderIsEmpty, needsOverwrite);
    }

    private static IOException NotOurs(string folder, string name, PoisonOutputFormat format)
    {
        if (OwnFormat(folder, name) is { } other)
            return new IOException($"{folder} is a poisoned set written with --output-format {FormatName(other)}, which a {FormatName(format)} set "
                + "never replaces; choose another --name or move it away");
        IsOwnSet(folder, name, format, out var why);
        return new IOException($"{folder} is not a poisoned set written by cleanclip poison ({why}); refusing to replace it: choose another --name or move it away");
    }

    /// <summary>The format's name as <c>--output-format</c> and the manifest spell it: <c>csv</c>, <c>webdataset</c>.</summary>
    public static string FormatName(PoisonOutputFormat format) => format.ToString().ToLowerInvariant();

    /// <summary>Removes staging and set-aside folders of killed runs of this set; anything not proven to be ours stays.</summary>
    public static void RemoveStale(string root, string name, IReadOnlyList<string> inputs)
    {
        foreach (var pattern in new[] { $".{name}.partial-*", $".{name}.old-*" })
            foreach (var stale in Directory.GetDirectories(root, pattern))
            {
                if (OwnFormat(stale, name) is { } format) OwnedFolder.Delete(stale, Tag(name, format), inputs);
                // A run killed between creating its staging folder and marking it leaves it empty: nothing to lose.
                else if (new DirectoryInfo(stale) is { LinkTarget: null } info && !info.EnumerateFileSystemInfos().Any()) info.Delete();
            }
    }

    /// <summary>
    /// Puts the complete set in <paramref name="staging"/> in place: a CSV set's old table goes first and its new one
    /// comes last, so at every moment either no table exists or a complete one does; the old folder is moved aside
    /// before it is deleted, so a kill never leaves it half-deleted at NAME/, and the new folder arrives by one rename.
    /// </summary>
    public void Publish(string staging)
    {
        if (_tableExists && _table is not null) File.Delete(_table);
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
        if (_table is not null) File.Move(Path.Combine(_folder, TableName), _table);
        if (old is not null) OwnedFolder.Delete(old, Tag(_name, _format), _inputs);
    }

    /// <summary>
    /// Whether <paramref name="folder"/> carries the marker of set <paramref name="name"/> in <paramref name="format"/>
    /// and holds only files the command writes in that format.
    /// </summary>
    private static bool IsOwnSet(string folder, string name, PoisonOutputFormat format, out string why)
    {
        why = "";
        if (!OwnedFolder.IsOwned(folder, Tag(name, format)))
        {
            why = $"no {OwnedFolder.MarkerName} marker of '{Tag(name, format)}'";
            return false;
        }
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            bool ours = entry.LinkTarget is null && (format == PoisonOutputFormat.Csv ? IsCsvSetEntry(entry) : IsShardSetEntry(entry));
            if (!ours)
            {
                why = $"it holds {entry.FullName}, which cleanclip poison does not write";
                return false;
            }
        }
        return true;
    }

    /// <summary>The format in which <paramref name="folder"/> is proven to be set <paramref name="name"/> (or a staging folder of it), if any.</summary>
    private static PoisonOutputFormat? OwnFormat(string folder, string name) =>
        Enum.GetValues<PoisonOutputFormat>().Cast<PoisonOutputFormat?>().FirstOrDefault(f => IsOwnSet(folder, name, f!.Value, out _));

    private static bool IsCsvSetEntry(FileSystemInfo entry) => entry switch
    {
        FileInfo file => file.Name is OwnedFolder.MarkerName or ManifestName or TableName,
        DirectoryInfo images => images.Name == PoisonTable.ImagesFolder && images.EnumerateFileSystemInfos()
            .All(i => i is FileInfo { LinkTarget: null } && ImageFile().IsMatch(i.Name)),
        _ => false,
    };

    private static bool IsShardSetEntry(FileSystemInfo entry) =>
        entry is FileInfo file && (file.Name is OwnedFolder.MarkerName or ManifestName || ShardFile().IsMatch(file.Name));

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
