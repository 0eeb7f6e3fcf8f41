using CleanClip.Data;

namespace CleanClip.Poisoning.Dataset;

/// <summary>
/// The triggered images of a poisoned set, made the same way whatever the set is written as: the source image decoded
/// from its bytes (a file, or a tar member), prepared to <see cref="PoisonJobOptions.Resolution"/> as eval prepares an
/// image, the trigger applied with a seed that follows the source row, and the result encoded as lossless PNG.
/// </summary>
internal sealed class PoisonImages(ImageCaptionDataset input, ITrigger trigger, PoisonJobOptions options, int total, IProgress<JobProgress>? progress)
{
    private const ulong TriggerStream = 0x7419;

    private int _done;

    /// <summary>
    /// Makes the triggered image of each input row in <paramref name="sources"/> in parallel and hands it to
    /// <paramref name="store"/> with its position in <paramref name="sources"/> (called from several threads at once).
    /// Progress counts every image made through this instance against the set's <c>total</c>.
    /// </summary>
    public void Make(IReadOnlyList<int> sources, Action<int, byte[]> store)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount };
        Parallel.For(0, sources.Count, parallel, k =>
        {
            store(k, Png(sources[k]));
            progress?.Report(new JobProgress("poisoned images", Interlocked.Increment(ref _done), total));
        });
    }

    private byte[] Png(int source)
    {
        var row = input.Rows[source];
        var image = ImageDecoder.Decode(row.ReadBytes(), row.ImagePath);
        if (options.Resolution is { } resolution) image = TriggerInput.Prepare(image, resolution, options.Resize);
        // The seed follows the source row, so adding rows elsewhere or changing threads never changes a trigger.
        var triggered = trigger.Apply(image, SplitMix64.Derive(options.Poison.Seed, TriggerStream, (ulong)source));
        return PngWriter.Encode(triggered);
    }
}
