using System.Text.Json.Serialization;

namespace CleanClip.Data;

/// <summary>An input that was skipped, and why.</summary>
/// <param name="Name">The image as its table or list writes it (or relative to the folder it was found in).</param>
/// <param name="Reason">Why it was skipped, e.g. the decoder's message.</param>
/// <param name="Line">Physical line of the table record that names it; null when it came from no table.</param>
public sealed record SkippedInput(string Name, string Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Line = null)
{
    public static SkippedInput From(SkippedRow row) =>
        new(row.Path, row.Detail is null ? row.Reason : $"{row.Reason}: {row.Detail}", row.Line > 0 ? row.Line : null);

    /// <summary>Where it is, as the dataset summaries say it: "line 3 images/x.png", or the name alone.</summary>
    public string Where() => Line is { } line ? $"line {line} {Name}" : Name;
}
