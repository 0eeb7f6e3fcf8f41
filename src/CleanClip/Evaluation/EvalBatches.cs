using CleanClip.Data;
using CleanClip.Poisoning;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Evaluation;

/// <summary>
/// Eval images in batches, each image decoded once and given to the model twice: clean (CLIP's resize + center crop)
/// and, when there is a trigger, triggered (<see cref="TriggerInput.Prepare"/> in the chosen resize mode, the trigger
/// with seed <c>SplitMix64.Derive(seed, row)</c>, then the same normalisation). Unreadable images are skipped and
/// recorded, never fatal.
/// </summary>
public sealed class EvalBatches(int resolution, ITrigger? trigger, ResizeMode resizeMode, ulong seed, int batchSize)
{
    /// <summary>One batch: eval-set rows, their labels, normalised pixels [B, 3, R, R] (triggered: null without a trigger).</summary>
    public sealed record Batch(int[] Rows, int[] Labels, Tensor Clean, Tensor? Triggered) : IDisposable
    {
        public void Dispose()
        {
            Clean.Dispose();
            Triggered?.Dispose();
        }
    }

    private readonly ClipPreprocessor preprocessor = new(new PreprocessOptions { Resolution = resolution });

    public List<SkippedInput> Skipped { get; } = [];

    /// <summary>The batches in row order; each is disposed when the enumeration moves on.</summary>
    /// <param name="root">Names of skipped images are relative to it.</param>
    public IEnumerable<Batch> Read(IReadOnlyList<LabeledImage> images, string root)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"batch size must be positive, got {batchSize}");
        for (int start = 0; start < images.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, images.Count - start);
            var clean = new RgbImage?[count];
            var triggered = new RgbImage?[count];
            var reasons = new string?[count];
            Parallel.For(0, count, i =>
            {
                if (!images[start + i].TryRead(out var image, out reasons[i])) return;
                clean[i] = preprocessor.ResizeAndCrop(image);
                if (trigger is not null)
                    triggered[i] = trigger.Apply(TriggerInput.Prepare(image, resolution, resizeMode), SplitMix64.Derive(seed, (ulong)(start + i)));
            });
            var kept = Enumerable.Range(0, count).Where(i => clean[i] is not null).ToArray();
            foreach (var i in Enumerable.Range(0, count).Where(i => clean[i] is null))
                Skipped.Add(new SkippedInput(Path.GetRelativePath(root, images[start + i].ImagePath), reasons[i]!));
            if (kept.Length == 0) continue;
            using var batch = new Batch(
                kept.Select(i => start + i).ToArray(),
                kept.Select(i => images[start + i].Label).ToArray(),
                Normalized(kept.Select(i => clean[i]!)),
                trigger is null ? null : Normalized(kept.Select(i => triggered[i]!)));
            yield return batch;
        }
    }

    /// <summary>Square R×R images → normalised float [N, 3, R, R].</summary>
    private Tensor Normalized(IEnumerable<RgbImage> images)
    {
        var list = images.ToList();
        var bytes = new byte[list.Count * resolution * resolution * 3];
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i].Width != resolution || list[i].Height != resolution)
                throw new InvalidOperationException($"expected a {resolution}x{resolution} image, got {list[i].Width}x{list[i].Height}");
            list[i].Pixels.CopyTo(bytes.AsSpan(i * resolution * resolution * 3));
        }
        using var scope = NewDisposeScope();
        var nhwc = torch.empty(new long[] { list.Count, resolution, resolution, 3 }, ScalarType.Byte);
        nhwc.bytes = bytes;
        return preprocessor.Normalize(nhwc.permute(0, 3, 1, 2)).MoveToOuterDisposeScope();
    }
}
