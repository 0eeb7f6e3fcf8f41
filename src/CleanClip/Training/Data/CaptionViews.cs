using CleanClip.Training.Augmentation;

namespace CleanClip.Training.Data;

/// <summary>
/// The captions of a training table and their EDA-augmented views. An augmented caption is a function of
/// (seed, caption index) — or of (seed, epoch, index) with <see cref="EdaRefresh.Epoch"/> — so a resumed run
/// draws exactly the captions an uninterrupted one would, without storing them.
/// </summary>
public sealed class CaptionViews(IReadOnlyList<string> captions, Eda eda, EdaRefresh refresh, ulong seed)
{
    private const ulong Stream = 0xEDA;

    public string Original(int index) => captions[index];

    public string Augmented(int index, int epoch)
    {
        var draw = refresh == EdaRefresh.Static ? SplitMix64.Derive(seed, Stream, 0) : SplitMix64.Derive(seed, Stream, (ulong)epoch + 1);
        return eda.Augment(captions[index], SplitMix64.Derive(draw, (ulong)index));
    }
}
