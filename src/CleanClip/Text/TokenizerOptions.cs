
namespace CleanClip.Text;

/// <summary>What <see cref="ClipTokenizer.EncodeForModel"/> does with a caption longer than the context.</summary>
public enum TruncationMode
{
    /// <summary>OpenAI <c>clip.tokenize(truncate=True)</c>: cut to the context length and make the last token EOT,
    /// so EOT pooling still finds the end of the caption.</summary>
    KeepEndOfText,

    /// <summary>The CleanCLIP reference: plain slicing to the context length, which drops EOT (its bug, kept only
    /// to reproduce its numbers).</summary>
    [ReferenceSwitch]
    Reference,

    /// <summary>OpenAI's default <c>truncate=False</c>: refuse over-long captions with an <see cref="ArgumentException"/>.</summary>
    Error,
}

/// <summary>Settings of a <see cref="ClipTokenizer"/>.</summary>
public sealed record TokenizerOptions
{
    /// <summary>Tokens per model row, SOT and EOT included (CLIP: 77).</summary>
    public int ContextLength { get; init; } = 77;

    public TruncationMode Truncation { get; init; } = TruncationMode.KeepEndOfText;
}
