using System.IO.Compression;
using System.Text;

namespace CleanClip.Text;

/// <summary>One learned merge: the two adjacent symbols that become one token.</summary>
public readonly record struct BpeMerge(string Left, string Right)
{
    public override string ToString() => Left + " " + Right;
}

/// <summary>
/// The <c>bpe_simple_vocab_16e6.txt.gz</c> format: UTF-8, '\n' lines, line 1 a version header (OpenAI's reads
/// <c>"bpe_simple_vocab_16e6.txt#version: 0.2</c>), then one merge "left right" per line in rank order. Gzip is
/// detected from the content, so plain text files load too.
/// </summary>
public static class BpeVocabularyFile
{
    public const string DefaultHeader = "#version: 0.2";

    /// <summary>Reads the header and up to <paramref name="maxMerges"/> merges; lines past the cap are not looked at.</summary>
    public static (string Header, List<BpeMerge> Merges) Read(string path, int maxMerges = int.MaxValue)
    {
        string text;
        try
        {
            text = ReadText(path);
        }
        catch (Exception e) when (e is InvalidDataException or DecoderFallbackException)
        {
            throw new InvalidDataException($"{path}: not a BPE merges file (neither UTF-8 text nor gzip of it): {e.Message}", e);
        }

        using var lines = new StringReader(text);
        string header = lines.ReadLine() ?? "";
        if (!header.Contains("#version", StringComparison.Ordinal))
            throw new InvalidDataException($"{path}, line 1: expected a version header such as '{DefaultHeader}', found '{Shorten(header)}'.");

        var merges = new List<BpeMerge>();
        for (int lineNo = 2; merges.Count < maxMerges; lineNo++)
        {
            string? line = lines.ReadLine();
            if (line is null) break;
            if (line.Length == 0 && lines.Peek() < 0) break; // the final newline
            int space = line.IndexOf(' ');
            if (space <= 0 || space == line.Length - 1 || line.IndexOf(' ', space + 1) >= 0 || line.Contains('\t'))
                throw new InvalidDataException($"{path}, line {lineNo}: expected a merge 'left right' (two symbols, one space), found '{Shorten(line)}'.");
            merges.Add(new BpeMerge(line[..space], line[(space + 1)..]));
        }
        return (header, merges);
    }

    /// <summary>Writes atomically (temp file in the same folder, then rename); gzip when the path ends in .gz.</summary>
    public static void Write(string path, IEnumerable<BpeMerge> merges, string header = DefaultHeader)
    {
        bool gzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        AtomicFile.Write(path, file =>
        {
            Stream body = gzip ? new GZipStream(file, CompressionLevel.SmallestSize, leaveOpen: true) : file;
            // Disposing the writer finishes the gzip stream; the file itself stays open for AtomicFile's fsync.
            using var writer = new StreamWriter(body, new UTF8Encoding(false), 1 << 16, leaveOpen: !gzip) { NewLine = "\n" };
            writer.WriteLine(header);
            foreach (var merge in merges)
            {
                if (merge.Left.Length == 0 || merge.Right.Length == 0 || (merge.Left + merge.Right).AsSpan().ContainsAny(" \n\r\t"))
                    throw new ArgumentException($"Merge '{merge}' cannot be written: symbols must be non-empty and without whitespace.", nameof(merges));
                writer.WriteLine(merge.ToString());
            }
        });
    }

    private static string ReadText(string path)
    {
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B)
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, strict, detectEncodingFromByteOrderMarks: false);
            return reader.ReadToEnd();
        }
        return strict.GetString(bytes);
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
