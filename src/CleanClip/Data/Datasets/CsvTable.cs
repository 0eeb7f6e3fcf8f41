using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace CleanClip.Data;

/// <summary>
/// An RFC 4180 table read record by record with CsvHelper, each record tagged with the physical line it starts on,
/// and every way it can be unusable turned into an <see cref="InvalidDataException"/> naming the file and line.
/// </summary>
internal sealed class CsvTable : IDisposable
{
    private const int MaxColumnsShown = 12;

    private readonly StreamReader _reader;
    private readonly CsvParser _parser;
    // Line where the next record starts: one plus every line break in the records read so far. Counting breaks in the
    // raw text is exact across quoted newlines, where the parser's own RawRow is not (it differs at end of file).
    private int _nextLine = 1;

    public string Path { get; }
    public char Delimiter { get; }
    public IReadOnlyList<string> Header { get; private set; } = [];

    private CsvTable(string path, char delimiter)
    {
        Path = path;
        Delimiter = delimiter;
        _reader = new StreamReader(path);
        // Blank lines come through as records so that their line breaks are counted; Records() drops them.
        _parser = new CsvParser(_reader, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter.ToString(),
            HasHeaderRecord = false,
            IgnoreBlankLines = false,
        });
    }

    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is empty, or its first record is malformed.</exception>
    public static CsvTable Open(string path, char delimiter)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"table not found: {path}", path);
        var table = new CsvTable(path, delimiter);
        try
        {
            table.Header = table.NextNonBlank()?.Fields
                ?? throw new InvalidDataException($"{path}: empty file, expected a header line naming the columns");
            return table;
        }
        catch
        {
            table.Dispose();
            throw;
        }
    }

    /// <summary>The index of a column that must be there; the error says what was found instead and how to fix it.</summary>
    public int Column(string key, string holds, string hint)
    {
        int index = IndexOf(key);
        if (index >= 0) return index;
        var shown = Header.Take(MaxColumnsShown).Select(h => $"'{Shorten(h)}'");
        var more = Header.Count > MaxColumnsShown ? $" and {Header.Count - MaxColumnsShown} more" : "";
        var message = $"{Path}: no '{key}' column for the {holds}; columns found: {string.Join(", ", shown)}{more}.";
        if (LooksSplitBy('\t')) message += " The header looks tab-separated: read it with the delimiter '\\t' (or name the file .tsv).";
        else if (LooksSplitBy(',')) message += " The header looks comma-separated: read it with the delimiter ','.";
        if (Header.FirstOrDefault(h => string.Equals(h.Trim(), key, StringComparison.OrdinalIgnoreCase)) is { } near)
            message += $" Did you mean '{near}' (spaces or case differ)?";
        if (Header.Any(LooksLikeData)) message += " The first line looks like data: the table needs a header line naming its columns.";
        throw new InvalidDataException($"{message} {hint}");
    }

    /// <summary>The index of a column that may be absent (-1).</summary>
    public int IndexOf(string key)
    {
        for (int i = 0; i < Header.Count; i++)
            if (Header[i] == key) return i;
        return -1;
    }

    /// <summary>The data records after the header, blank lines left out.</summary>
    public IEnumerable<(int Line, string[] Fields)> Records()
    {
        while (NextNonBlank() is { } record) yield return record;
    }

    private (int Line, string[] Fields)? NextNonBlank()
    {
        while (true)
        {
            int line = _nextLine;
            string[] fields;
            try
            {
                if (!_parser.Read()) return null;
                // Fields are split lazily: bad quoting surfaces here, not in Read().
                fields = _parser.Record ?? [];
            }
            catch (CsvHelperException e)
            {
                var raw = (e as BadDataException)?.RawRecord ?? _parser.RawRecord;
                throw new InvalidDataException(
                    $"{Path}: line {line}: malformed record: a quote is not closed, or a field mixes quoted and unquoted text " +
                    $"(a quoted field must be wholly quoted, inner quotes doubled): {Shorten(raw)}", e);
            }
            _nextLine += LineBreaks(_parser.RawRecord);
            // A whitespace-only line is as empty as a blank one: no row, not a malformed one.
            if (fields.Length > 1 || fields.Length == 1 && !string.IsNullOrWhiteSpace(fields[0])) return (line, fields);
        }
    }

    private bool LooksSplitBy(char other) => other != Delimiter && Header.Count == 1 && Header[0].Contains(other);

    private static bool LooksLikeData(string cell) =>
        cell.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || cell.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        || ImageList.Extensions.Contains(System.IO.Path.GetExtension(cell));

    private static int LineBreaks(string raw)
    {
        int breaks = 0;
        for (int i = 0; i < raw.Length; i++)
            if (raw[i] == '\n' || raw[i] == '\r' && (i + 1 == raw.Length || raw[i + 1] != '\n')) breaks++;
        return breaks;
    }

    private static string Shorten(string text)
    {
        var flat = text.ReplaceLineEndings(" ").Replace("\t", "\\t");
        return flat.Length <= 80 ? flat : flat[..77] + "...";
    }

    public void Dispose()
    {
        _parser.Dispose();
        _reader.Dispose();
    }
}
