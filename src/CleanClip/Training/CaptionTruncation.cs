using CleanClip.Data;
using CleanClip.Text;

namespace CleanClip.Training;

/// <summary>
/// How many of the training table's captions are longer than the model's context and so reach the model cut
/// (recorded under "captions" in config.json). Counted once before the first step from the captions as written; the
/// EDA views of the in-modal loss are not counted.
/// </summary>
/// <param name="Captions">Captions in the table (one per usable row).</param>
/// <param name="Truncated">Captions whose SOT + tokens + EOT exceed <paramref name="ContextLength"/>.</param>
/// <param name="FirstLine">Table line of the first truncated caption; null when none is.</param>
public sealed record CaptionTruncation(int Captions, int Truncated, int ContextLength, TruncationMode Truncation, int? FirstLine)
{
    public static CaptionTruncation Count(ClipTokenizer tokenizer, IReadOnlyList<CaptionRow> rows)
    {
        var cut = new bool[rows.Count];
        Parallel.For(0, rows.Count, i => cut[i] = !tokenizer.Fits(rows[i].Caption));
        int first = Array.IndexOf(cut, true);
        return new CaptionTruncation(rows.Count, cut.Count(c => c), tokenizer.ContextLength, tokenizer.Options.Truncation,
            first < 0 ? null : rows[first].Line);
    }

    /// <summary>
    /// With <see cref="TruncationMode.Error"/>, a table with an over-long caption is refused before training starts,
    /// naming the first one (rather than failing at the step that meets it).
    /// </summary>
    /// <exception cref="ArgumentException">The mode is Error and a caption does not fit.</exception>
    public void ThrowIfRefused(ClipTokenizer tokenizer, ImageCaptionDataset table)
    {
        if (Truncation != TruncationMode.Error || FirstLine is not { } line) return;
        var caption = table.Rows.First(r => r.Line == line).Caption;
        throw new ArgumentException($"{table.TablePath} line {line}: the caption needs {tokenizer.TokensNeeded(caption)} tokens, more than the " +
            $"model's {ContextLength}-token context ({Truncated} of {Captions} captions are too long); shorten them or pass --truncation KeepEndOfText");
    }

    /// <summary>One line for the user, e.g. "3 of 500 captions are longer than the model's 77-token context and were truncated (--truncation KeepEndOfText); first: line 12"; null when none is.</summary>
    public string? Note(string tablePath)
    {
        if (FirstLine is not { } line) return null;
        var how = Truncation == TruncationMode.Reference ? "were truncated without their end-of-text token" : "were truncated";
        return $"{tablePath}: {Truncated} of {Captions} captions are longer than the model's {ContextLength}-token context and {how} " +
            $"(--truncation {Truncation}); first: line {line}";
    }
}
