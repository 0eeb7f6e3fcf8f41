using System.Formats.Tar;
using System.Text;
using CleanClip.Data;

namespace CleanClip.Tests.Data.Shards;

/// <summary>Writes WebDataset shards for tests with <see cref="TarWriter"/>, the way img2dataset lays them out.</summary>
internal static class ShardFiles
{
    /// <summary>A tar member: its name in the archive and its bytes.</summary>
    public sealed record Member(string Name, byte[] Data)
    {
        public static Member Text(string name, string text) => new(name, Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Writes <paramref name="members"/> in order as regular files into a new tar at <paramref name="path"/>; returns the path.</summary>
    public static string Write(string path, IEnumerable<Member> members, TarEntryFormat format = TarEntryFormat.Pax)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        using var writer = new TarWriter(file, format);
        foreach (var member in members)
        {
            TarEntry entry = format switch
            {
                TarEntryFormat.Ustar => new UstarTarEntry(TarEntryType.RegularFile, member.Name),
                TarEntryFormat.Gnu => new GnuTarEntry(TarEntryType.RegularFile, member.Name),
                TarEntryFormat.V7 => new V7TarEntry(TarEntryType.V7RegularFile, member.Name),
                _ => new PaxTarEntry(TarEntryType.RegularFile, member.Name),
            };
            entry.DataStream = new MemoryStream(member.Data);
            writer.WriteEntry(entry);
        }
        return path;
    }

    /// <summary>The members of one img2dataset sample: <c>KEY.jpg</c> (or another image extension), <c>KEY.txt</c> and <c>KEY.json</c>.</summary>
    public static IEnumerable<Member> Sample(string key, byte[] image, string caption, string imageExtension = "jpg")
    {
        yield return new Member($"{key}.{imageExtension}", image);
        yield return Member.Text($"{key}.txt", caption);
        yield return Member.Text($"{key}.json", $"{{\"key\": \"{key}\", \"caption\": \"{caption}\"}}");
    }

    /// <summary>Where each member's data starts in the shard (as the reader would index them).</summary>
    public static Dictionary<string, long> DataOffsets(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new TarReader(stream);
        var offsets = new Dictionary<string, long>();
        while (reader.GetNextEntry() is { } entry) offsets[entry.Name] = entry.DataOffset;
        return offsets;
    }

    /// <summary>Both the streaming reader's samples and its log, read with bytes.</summary>
    public static (List<ShardSample> Samples, ShardLog Log) ReadAll(string path, bool readBytes = true)
    {
        var log = new ShardLog();
        return (ShardReader.Read(path, log, readBytes).ToList(), log);
    }
}
