namespace CleanClip.Data;

/// <summary>An input that was skipped, and why.</summary>
public sealed record SkippedInput(string Name, string Reason)
{
    public static SkippedInput From(SkippedRow row) =>
        new(row.Path, row.Detail is null ? row.Reason : $"{row.Reason}: {row.Detail}");
}
