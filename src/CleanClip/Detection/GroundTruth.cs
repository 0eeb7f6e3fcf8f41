using System.Text.Json;
using CleanClip.Data;

namespace CleanClip.Detection;

/// <summary>Which rows of a table are known to be poisoned: its <c>is_backdoor</c> column, or a <c>cleanclip poison</c> manifest.</summary>
public static class GroundTruth
{
    /// <summary>The <c>is_backdoor</c> flags, or null when the table has no such column.</summary>
    public static bool[]? FromColumn(IReadOnlyList<CaptionRow> rows) =>
        rows.Count > 0 && rows.All(r => r.IsBackdoor is not null) ? rows.Select(r => r.IsBackdoor!.Value).ToArray() : null;

    /// <summary>
    /// Rows whose image path (as the table writes it) is one of the manifest's <c>poisoned_rows[].image</c>.
    /// </summary>
    /// <exception cref="InvalidDataException">The manifest is not a poison manifest, or names an image the table lacks.</exception>
    public static bool[] FromManifest(string manifestPath, IReadOnlyList<CaptionRow> rows)
    {
        HashSet<string> images;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(manifestPath));
            if (!document.RootElement.TryGetProperty("poisoned_rows", out var list) || list.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{manifestPath}: not a cleanclip poison manifest (no 'poisoned_rows' list)");
            images = list.EnumerateArray().Select(row => row.TryGetProperty("image", out var image) && image.ValueKind == JsonValueKind.String
                ? image.GetString()!
                : throw new InvalidDataException($"{manifestPath}: a 'poisoned_rows' entry has no 'image' path")).ToHashSet(StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{manifestPath}: not valid JSON ({e.Message})");
        }
        var flags = rows.Select(r => images.Contains(r.RelativePath)).ToArray();
        int found = flags.Count(f => f);
        if (found != images.Count)
            throw new InvalidDataException($"{manifestPath}: names {images.Count} poisoned images but the table holds {found} of them; is it the manifest of this table?");
        return flags;
    }
}
