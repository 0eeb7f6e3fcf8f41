using CleanClip.Models;
using CleanClip.Text;

namespace CleanClip.Evaluation;

/// <summary>Options of <c>cleanclip embed</c>; the CLI takes its defaults from here.</summary>
public sealed record EmbedOptions
{
    /// <summary>A registry name (fresh weights) or a checkpoint file.</summary>
    public required string Model { get; init; }
    /// <summary>Registry name of the architecture, when it cannot be read off the checkpoint.</summary>
    public string? ModelConfig { get; init; }
    /// <summary>Head counts a checkpoint cannot tell (<c>--text-heads</c>, <c>--vision-heads</c>); they override the architecture's.</summary>
    public HeadCounts? Heads { get; init; }
    /// <summary>A bpe_simple_vocab_16e6.txt.gz-format vocabulary; needed for texts.</summary>
    public string? Vocab { get; init; }
    /// <summary>A folder of images, or a CSV/TSV with an image column.</summary>
    public string? Images { get; init; }
    public string ImageKey { get; init; } = "image";
    /// <summary>Over-long captions: keep EOT (OpenAI), slice like the CleanCLIP reference, or refuse.</summary>
    public TruncationMode Truncation { get; init; } = TruncationMode.KeepEndOfText;
    /// <summary>A text file with one caption per line.</summary>
    public string? Texts { get; init; }
    public required string Output { get; init; }
    public int BatchSize { get; init; } = 32;
    public string Device { get; init; } = "auto";
    /// <summary>Open TorchScript checkpoints, which can run code (<see cref="Checkpoints.CheckpointReadOptions.TrustTorchScript"/>).</summary>
    public bool TrustTorchScript { get; init; }
    /// <summary>Decode threads; 0 means one per core.</summary>
    public int DecodeThreads { get; init; } = 0;
    /// <summary>Accept table rows whose image lies outside the table's folder (by <c>..</c>, an absolute path, or a link).</summary>
    public bool AllowOutsideRoot { get; init; }
}
