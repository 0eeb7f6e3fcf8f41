namespace CleanClip.Detection;

/// <summary>A backdoor-sample score; see <see cref="LocalOutlierScores"/> and <see cref="ScanSettings.MultiKs"/>.</summary>
public enum Detector
{
    KDistance,
    Slof,
    Dao,
    /// <summary>
    /// k-free: the k-distance at every k of <see cref="ScanSettings.MultiKs"/>, each standardised over the whole set
    /// on a log scale by its median and MAD, and per point the largest of those (<see cref="ScanScorer.StandardisedMax"/>):
    /// some k of the ladder exceeds the crowd of poisoned points sharing a batch, and there they stand far out.
    /// </summary>
    MultiK,
    /// <summary>
    /// The share of a pair's <see cref="ScanSettings.K"/> nearest image neighbours in its reference batch whose caption
    /// is the same text as its own (<see cref="CaptionAgreement"/>). Poisoned pairs made with one target caption put
    /// images of every class into one crowd that all carry that caption; clean images' neighbours carry their own
    /// captions, which repeat only as often as the table's captions do. Blind to poison whose captions vary.
    /// </summary>
    SameCaption,
    /// <summary>
    /// Needs the scanned model's vocabulary (<see cref="ScanOptions.Vocab"/>): the pointwise mutual information the
    /// model assigns a pair, its image's logit for its own caption over the mean of its logits for the captions of its
    /// reference batch, ln(exp(s·cos(xᵢ, cᵢ)) / meanⱼ exp(s·cos(xᵢ, cⱼ))) at the model's own temperature s
    /// (<see cref="PairAlignment"/>). A model that learned a backdoor ties each triggered image to the target caption
    /// more tightly than any natural image to its own, so the poisoned pairs are the ones it is most sure of.
    /// </summary>
    Pmi,
    /// <summary>
    /// <see cref="MultiK"/> and <see cref="Pmi"/> together, each standardised by median and MAD, the larger per pair
    /// (<see cref="ScanScorer.StandardisedMax"/>): the crowd multik finds and the over-aligned pairs pmi finds. Where the
    /// caption texts are known, pairs most of whose image neighbours share their exact caption (<see cref="SameCaption"/>
    /// at least <see cref="ScanScorer.CaptionCrowdShare"/>) rank first (<see cref="ScanScorer.CaptionCrowdFirst"/>).
    /// </summary>
    Combined,
    /// <summary>
    /// Needs a second model that did not learn the trigger (<see cref="ScanOptions.TrustedCheckpoint"/>): how far, in
    /// that model's view, a point's k nearest neighbours in the scanned model lie, against its own nearest there
    /// (<see cref="CrossModelDisagreement"/>).
    /// </summary>
    CrossModel,
    /// <summary>
    /// Needs the trusted model and its vocabulary (<see cref="ScanOptions.TrustedVocab"/>): 1 − cos(image, caption) in
    /// the trusted model, high where it finds a pair's caption unlike its image, as a dirty-label poison's is.
    /// </summary>
    Mismatch,
    /// <summary>
    /// <see cref="CrossModel"/> and <see cref="Mismatch"/> together, as <see cref="MultiK"/> joins its ladder
    /// (<see cref="ScanScorer.StandardisedMax"/>): a pair stands out if either score puts it far out.
    /// </summary>
    Trusted,
}

public static class Detectors
{
    /// <summary>Every detector that needs only the scanned model: what <c>--detector all</c> chooses.</summary>
    public static IReadOnlyList<Detector> All { get; } = [Detector.KDistance, Detector.Slof, Detector.Dao, Detector.MultiK];

    /// <summary>Every detector, in the column order of <c>scores.csv</c>.</summary>
    public static IReadOnlyList<Detector> Columns { get; } = [.. All, Detector.SameCaption, Detector.Pmi, Detector.Combined, Detector.CrossModel, Detector.Mismatch, Detector.Trusted];

    /// <summary>Whether the detector's neighbourhoods have <see cref="ScanSettings.K"/> points (the density-ratio scores and samecaption).</summary>
    public static bool UsesK(Detector detector) => detector is Detector.KDistance or Detector.Slof or Detector.Dao or Detector.SameCaption;

    /// <summary>Whether the detector compares neighbourhoods with the trusted model's (<see cref="ScanSettings.CrossModelK"/> points).</summary>
    public static bool UsesCrossModelK(Detector detector) => detector is Detector.CrossModel or Detector.Trusted;

    /// <summary>Whether the detector compares each image with its caption in the scanned model (needs its vocabulary).</summary>
    public static bool UsesCaptions(Detector detector) => detector is Detector.Pmi or Detector.Combined;

    public static string Name(Detector detector) => detector switch
    {
        Detector.KDistance => "kdist",
        Detector.Slof => "slof",
        Detector.Dao => "dao",
        Detector.MultiK => "multik",
        Detector.SameCaption => "samecaption",
        Detector.Pmi => "pmi",
        Detector.Combined => "combined",
        Detector.CrossModel => "crossmodel",
        Detector.Mismatch => "mismatch",
        Detector.Trusted => "trusted",
        _ => throw new ArgumentOutOfRangeException(nameof(detector)),
    };

    /// <summary>One detector by name, or <c>all</c> (those of <see cref="All"/>).</summary>
    public static IReadOnlyList<Detector> Parse(string text)
    {
        var name = text.Trim().ToLowerInvariant();
        if (name == "all") return All;
        foreach (var detector in Columns)
            if (Name(detector) == name) return [detector];
        throw new ArgumentException($"--detector '{text}': expected one of {string.Join(", ", Columns.Select(Name))} or all");
    }
}
