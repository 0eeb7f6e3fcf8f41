using CleanClip.Data;
using CleanClip.Models;

namespace CleanClip.Detection;

/// <summary>Options of <c>cleanclip scan</c>; the CLI takes its defaults from here.</summary>
public sealed record ScanOptions
{
    /// <summary>A checkpoint file, or a registry name (fresh weights).</summary>
    public required string Checkpoint { get; init; }
    public string? ModelConfig { get; init; }

    /// <summary>Head counts for a state dict whose widths do not give them.</summary>
    public HeadCounts? Heads { get; init; }
    public long ModelSeed { get; init; }
    /// <summary>
    /// A model that did not learn the table's trigger (trained on other data, such as a public CLIP): a checkpoint file
    /// or a registry name. With it the scan also scores <see cref="Detector.CrossModel"/>, which becomes the primary score.
    /// </summary>
    public string? TrustedCheckpoint { get; init; }
    /// <summary>Architecture name of <see cref="TrustedCheckpoint"/> when the checkpoint does not say.</summary>
    public string? TrustedModelConfig { get; init; }
    /// <summary>
    /// The BPE vocabulary of <see cref="TrustedCheckpoint"/>'s text tower: with it the trusted model embeds the captions
    /// too, for <see cref="Detector.Mismatch"/> and the <see cref="Detector.Trusted"/> ensemble (then the primary score).
    /// </summary>
    public string? TrustedVocab { get; init; }
    /// <summary>The image–caption table to scan; never written to.</summary>
    public required string TrainData { get; init; }
    public CaptionTableOptions Table { get; init; } = new();
    /// <summary>A <c>cleanclip poison</c> manifest giving the ground truth when the table has no <c>is_backdoor</c> column.</summary>
    public string? Manifest { get; init; }
    public ScanSettings Settings { get; init; } = new();
    /// <summary>Which embedding of each pair is scored; the text and joint sides need <see cref="Vocab"/>.</summary>
    public ScanSide Side { get; init; } = ScanSide.Image;
    /// <summary>
    /// The BPE vocabulary the model was trained with, to embed the captions: for <see cref="ScanSide.Text"/> and
    /// <see cref="ScanSide.Joint"/>, and with the image embeddings for <see cref="Detector.Pmi"/> and <see cref="Detector.Combined"/>.
    /// </summary>
    public string? Vocab { get; init; }
    /// <summary>Folder for <c>scores.csv</c> and <c>scan.json</c>.</summary>
    public required string Output { get; init; }
    /// <summary>Where image embeddings are kept between runs (<c>scan-embeddings/KEY.npy</c>); null keeps them in <see cref="Output"/> for this run only.</summary>
    public string? CacheDir { get; init; } = Evaluation.ClassEmbeddingCache.DefaultDirectory();
    public int BatchSize { get; init; } = 32;
    public string Device { get; init; } = "auto";
    public Precision Precision { get; init; } = Precision.Fp32;
    public bool TrustTorchScript { get; init; }
    public int DecodeThreads { get; init; }
    /// <summary>Write the table without the flagged rows to this new file (never the input, never an existing file).</summary>
    public string? FilterOut { get; init; }
    /// <summary>Flag the N highest-ranked rows.</summary>
    public int? RemoveTop { get; init; }
    /// <summary>Flag rows whose primary score is at least this.</summary>
    public double? Threshold { get; init; }
}
