namespace CleanClip.Data.Synthetic;

/// <summary>
/// Decides every image of a split before any is drawn. Kinds are dealt in blocks: each run of <c>kinds</c> consecutive
/// images is a shuffled permutation of all kinds, so counts differ by at most one and every kind, banana included,
/// appears in any split of at least one image per kind. Each image has its own streams derived from (seed, split,
/// index) and each block its own shuffle, so image i is the same whatever the split's size (a small world is a
/// prefix of a large one), the order and thread in which images are drawn cannot change it, and train and finetune
/// never share a stream.
/// </summary>
public static class WorldPlanner
{
    private const ulong SceneStream = 0, CaptionStream = 1, NoiseStream = 2;
    // Offsets the shuffle stream of a split away from its per-image streams.
    private const ulong ShuffleStreamOffset = 1000;

    public static IReadOnlyList<SyntheticSample> Plan(SyntheticWorldOptions options, SyntheticSplit split)
    {
        options.Validate();
        int count = split switch
        {
            SyntheticSplit.Train => options.Count,
            SyntheticSplit.Finetune => options.FinetuneCount,
            SyntheticSplit.Test => options.TestCount,
            _ => throw new ArgumentOutOfRangeException(nameof(split)),
        };
        var seed = (ulong)options.Seed;
        var labels = DealLabels(count, options.Kinds.Count, SplitMix64.Derive(seed, (ulong)split + ShuffleStreamOffset));
        var kinds = options.Kinds.Select(ShapeCatalog.Get).ToArray();
        int digits = Math.Max(5, (count - 1).ToString().Length);
        var samples = new SyntheticSample[count];
        for (int i = 0; i < count; i++)
        {
            ulong imageSeed = SplitMix64.Derive(seed, (ulong)split, (ulong)i);
            var sceneRandom = new SplitMix64(SplitMix64.Derive(imageSeed, SceneStream));
            var scene = SceneSampler.Sample(options, kinds[labels[i]], ref sceneRandom, SplitMix64.Derive(imageSeed, NoiseStream));
            Caption? caption = null;
            if (split != SyntheticSplit.Test)
            {
                var captionRandom = new SplitMix64(SplitMix64.Derive(imageSeed, CaptionStream));
                caption = CaptionWriter.Write(scene, options.KindCentredProbability, ref captionRandom);
            }
            samples[i] = new SyntheticSample(split, i, $"images/{i.ToString().PadLeft(digits, '0')}.png", labels[i], scene, caption);
        }
        return samples;
    }

    private static int[] DealLabels(int count, int kinds, ulong shuffleSeed)
    {
        var labels = new int[count];
        var block = new int[kinds];
        for (int start = 0; start < count; start += kinds)
        {
            for (int k = 0; k < kinds; k++) block[k] = k;
            var random = new SplitMix64(SplitMix64.Derive(shuffleSeed, (ulong)(start / kinds)));
            for (int k = kinds - 1; k > 0; k--)
            {
                int j = random.NextInt(k + 1);
                (block[k], block[j]) = (block[j], block[k]);
            }
            Array.Copy(block, 0, labels, start, Math.Min(kinds, count - start));
        }
        return labels;
    }
}
