namespace CleanClip.Data;

/// <summary>One input a dataset reader left out: where it was, and why.</summary>
/// <param name="Line">Physical line where the record starts in its table; 0 for images found by walking folders and for WebDataset samples.</param>
/// <param name="Path">The image path as written in the table (or relative to the dataset root); for a WebDataset sample, <c>SHARD/KEY</c>.</param>
/// <param name="Reason">One of <see cref="SkipReason"/>: the category the counts are kept by.</param>
/// <param name="Detail">What exactly was wrong (the bad value, the decoder's message), when the reason alone does not say.</param>
public sealed record SkippedRow(int Line, string Path, string Reason, string? Detail = null);

/// <summary>The categories a dataset reader skips inputs for.</summary>
public static class SkipReason
{
    public const string EmptyImagePath = "empty image path";
    public const string EmptyCaption = "empty caption";
    public const string MissingImage = "missing image";
    public const string OutsideRoot = "outside the dataset root";
    public const string CorruptImage = "corrupt image";
    public const string BadBackdoorFlag = "bad is_backdoor value";
    public const string ExtraFields = "more fields than the header";
    public const string BadLabel = "label not an integer";
    public const string LabelOutOfRange = "label out of range";
    // WebDataset shards: a key whose members do not make an image-caption pair.
    public const string NoImage = "no image member";
    public const string NoCaption = "no caption member";
    public const string BadCaption = "caption not UTF-8";
    public const string DuplicateMember = "duplicate member";
    public const string TruncatedShard = "truncated shard";
}

/// <summary>
/// What a dataset reader left out, counted per reason, with the first few examples by line. Readers fill it; callers
/// show <see cref="Summary"/>, since the library never prints.
/// </summary>
public sealed class DatasetReport
{
    public const int MaxExamples = 5;

    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly List<SkippedRow> _examples = [];
    private readonly List<string> _notes = [];
    private readonly string _unit;

    internal DatasetReport(string unit) => _unit = unit;

    /// <summary>Inputs seen: rows of the table (blank lines not counted) or image files found.</summary>
    public int Total { get; internal set; }

    public int SkippedCount { get; private set; }

    public int Kept => Total - SkippedCount;

    public IReadOnlyDictionary<string, int> Counts => _counts;

    /// <summary>The first <see cref="MaxExamples"/> skipped inputs in line order, whatever order they were found in.</summary>
    public IReadOnlyList<SkippedRow> Examples => _examples;

    /// <summary>
    /// What was lost beyond single inputs, one line each naming the file: a shard missing, or cut short by a tar header
    /// that could not be read (its remaining samples were never seen, so they are not in <see cref="Total"/>).
    /// </summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>Whether anything was left out: a skipped input or a note.</summary>
    public bool LeftOutAny => SkippedCount > 0 || _notes.Count > 0;

    internal void Skip(SkippedRow row)
    {
        SkippedCount++;
        _counts[row.Reason] = _counts.GetValueOrDefault(row.Reason) + 1;
        // Image checks run after the table pass, so keep the examples ordered by line rather than by arrival.
        int at = _examples.FindIndex(e => e.Line > row.Line);
        _examples.Insert(at < 0 ? _examples.Count : at, row);
        if (_examples.Count > MaxExamples) _examples.RemoveAt(MaxExamples);
    }

    internal void Note(string note) => _notes.Add(note);

    /// <summary>
    /// One line, e.g. "skipped 12 of 1000 rows: 7 missing image, 5 empty caption; first: line 3 images/x.png (missing image)",
    /// followed by the <see cref="Notes"/> (the first few), each after a semicolon.
    /// </summary>
    public string Summary()
    {
        var notes = _notes.Count == 0 ? "" : "; " + string.Join("; ", _notes.Take(MaxExamples))
            + (_notes.Count > MaxExamples ? $"; and {_notes.Count - MaxExamples} more notes" : "");
        if (SkippedCount == 0) return $"kept all {Total} {_unit}{notes}";
        var counts = _counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => $"{c.Value} {c.Key}");
        var first = _examples[0];
        var where = first.Line > 0 ? $"line {first.Line} {first.Path}" : first.Path;
        return $"skipped {SkippedCount} of {Total} {_unit}: {string.Join(", ", counts)}; first: {where} ({first.Reason}){notes}";
    }

    public override string ToString() => Summary();
}
