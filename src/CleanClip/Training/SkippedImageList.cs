using System.Text;
using System.Text.Json;
using CleanClip.Data;
using CleanClip.Data.Pipeline;

namespace CleanClip.Training;

/// <summary>
/// The training table's images the pipeline could not load, each listed once however many epochs skipped it, in line
/// order. The run folder keeps them as <see cref="FileName"/>, one <see cref="SkippedInput"/> per line (rewritten
/// atomically when the list grows), so a resumed run goes on naming the images earlier sessions skipped. At most one
/// entry per table row is held.
/// </summary>
public sealed class SkippedImageList
{
    public const string FileName = "skipped.jsonl";

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly IReadOnlyList<CaptionRow> _rows;
    private readonly SortedDictionary<int, SkippedInput> _byLine = [];
    private bool _changed;

    public string Path { get; }

    public IReadOnlyList<SkippedInput> Images => [.. _byLine.Values];

    private SkippedImageList(string path, IReadOnlyList<CaptionRow> rows) => (Path, _rows) = (path, rows);

    /// <summary>
    /// The list of a new run (a file left in the folder by a run that never reached a checkpoint is removed) or of a
    /// resumed one (read back from the folder).
    /// </summary>
    /// <exception cref="InvalidDataException">A resumed run's file has a line that is not a skipped image.</exception>
    public static SkippedImageList Open(string runDirectory, IReadOnlyList<CaptionRow> rows, bool resumed)
    {
        var list = new SkippedImageList(System.IO.Path.Combine(runDirectory, FileName), rows);
        if (!File.Exists(list.Path)) return list;
        if (!resumed)
        {
            File.Delete(list.Path);
            return list;
        }
        var lines = File.ReadAllLines(list.Path, Encoding.UTF8);
        for (int i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            SkippedInput? image;
            try { image = JsonSerializer.Deserialize<SkippedInput>(lines[i], Json); }
            catch (JsonException e) { throw new InvalidDataException($"{list.Path}:{i + 1}: not a skipped image ({e.Message}); delete the file to list them afresh", e); }
            if (image?.Line is not { } line)
                throw new InvalidDataException($"{list.Path}:{i + 1}: a skipped image without its table line; delete the file to list them afresh");
            list._byLine.TryAdd(line, image);
        }
        return list;
    }

    /// <summary>Adds the items a pipeline skipped (dataset indices into the table's rows); ones already listed stay as they are.</summary>
    public void Add(IEnumerable<SkippedItem> items)
    {
        foreach (var item in items)
        {
            var row = _rows[item.Index];
            if (_byLine.TryAdd(row.Line, new SkippedInput(row.RelativePath, item.Reason, row.Line))) _changed = true;
        }
    }

    /// <summary>Writes the file if the list grew since it was last written.</summary>
    public void Save()
    {
        if (!_changed) return;
        var text = new StringBuilder();
        foreach (var image in _byLine.Values) text.Append(JsonSerializer.Serialize(image, Json)).Append('\n');
        AtomicFile.WriteAllText(Path, text.ToString());
        _changed = false;
    }

    /// <summary>
    /// One line naming the first few, e.g. "3 unreadable images were skipped: line 3 images/a.png, line 9 images/b.png
    /// and 1 more; each is listed with its reason in RUN/skipped.jsonl"; null when none was.
    /// </summary>
    public static string? Note(IReadOnlyList<SkippedInput> images, string path, int shown = 3)
    {
        if (images.Count == 0) return null;
        var first = string.Join(", ", images.Take(shown).Select(i => i.Where()));
        var more = images.Count > shown ? $" and {images.Count - shown} more" : "";
        return $"{images.Count} unreadable image{(images.Count == 1 ? " was" : "s were")} skipped: {first}{more}; " +
            $"{(images.Count == 1 ? "it is" : "each is")} listed with its reason in {path}";
    }
}
