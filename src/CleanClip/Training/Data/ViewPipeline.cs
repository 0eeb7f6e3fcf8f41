using CleanClip.Data;
using CleanClip.Data.Pipeline;
using CleanClip.Training.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Training.Data;

/// <summary>An image as the model sees it (resized, centre-cropped, uint8) and, for the in-modal loss, its augmented view.</summary>
public sealed record ViewPair(RgbImage Original, RgbImage? Augmented);

/// <summary>
/// Training batches: each item is decoded, resized and cropped, and (with an augmentation) given a fresh augmented
/// view drawn from the item's per-epoch seed; a batch's <see cref="Pixels"/> is [originals; augmented] normalised,
/// so one forward pass covers both views and BatchNorm statistics span both, as in the reference. With
/// <c>replaceOriginals</c> the augmented view takes the original's place instead (PAR's one view per pair) and
/// <see cref="Pixels"/> holds one image per item.
/// </summary>
public static class ViewPipeline
{
    public const string Pixels = ImagePipeline.Pixels;

    public static BatchPipeline<ViewPair> FromFiles(IReadOnlyList<string> imagePaths, ClipPreprocessor preprocessor,
        IImageAugmentation? augmentation, PipelineOptions options, bool replaceOriginals = false) =>
        WithViews(imagePaths.Count, ImagePipeline.LoadFile(imagePaths, preprocessor), preprocessor, augmentation, options, replaceOriginals);

    /// <summary>The same batches from the images of image–caption rows: files, or members of WebDataset shards.</summary>
    public static BatchPipeline<ViewPair> FromRows(IReadOnlyList<CaptionRow> rows, ClipPreprocessor preprocessor,
        IImageAugmentation? augmentation, PipelineOptions options, bool replaceOriginals = false) =>
        WithViews(rows.Count, ImagePipeline.LoadRows(rows, preprocessor), preprocessor, augmentation, options, replaceOriginals);

    /// <summary>The same batches from pre-decoded images (no JPEG decoding; augmentation still runs per item and epoch).</summary>
    public static BatchPipeline<ViewPair> FromCache(DecodedCache cache, ClipPreprocessor preprocessor,
        IImageAugmentation? augmentation, PipelineOptions options, bool replaceOriginals = false)
    {
        if (cache.Resolution != preprocessor.Resolution)
            throw new ArgumentException($"the cache holds {cache.Resolution} px images but the model wants {preprocessor.Resolution} px; rebuild the cache", nameof(cache));
        return WithViews(cache.Count, cache.Load, preprocessor, augmentation, options, replaceOriginals);
    }

    private static BatchPipeline<ViewPair> WithViews(int count, ItemLoader<RgbImage> load, ClipPreprocessor preprocessor,
        IImageAugmentation? augmentation, PipelineOptions options, bool replaceOriginals) =>
        new(count, (index, seed) =>
        {
            var loaded = load(index, seed);
            if (loaded.IsSkipped) return LoadResult<ViewPair>.Skip(loaded.SkipReason!);
            var image = loaded.Item!;
            if (replaceOriginals) return new ViewPair(augmentation?.Apply(image, seed) ?? image, null);
            return new ViewPair(image, augmentation?.Apply(image, seed));
        }, Collate(preprocessor), options);

    private static BatchCollator<ViewPair> Collate(ClipPreprocessor preprocessor) => (items, _) =>
    {
        var images = items.Select(i => i.Original).ToList();
        if (items[0].Augmented is not null) images.AddRange(items.Select(i => i.Augmented!));
        using var stacked = ImagePipeline.Stack(images);
        return new Dictionary<string, Tensor> { [Pixels] = preprocessor.Normalize(stacked) };
    };
}
