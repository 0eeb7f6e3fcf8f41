using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Data.Pipeline;

/// <summary>
/// Image batches for training: items are images resized and center-cropped to R×R (uint8, the stage augmentations
/// work on), decoded from files or read from a <see cref="DecodedCache"/>; unreadable images are skipped and counted.
/// </summary>
public static class ImagePipeline
{
    /// <summary>Batch tensor name: uint8 <c>[B, 3, R, R]</c>, always present.</summary>
    public const string Images = "images";

    /// <summary>Batch tensor name: float32 normalized <c>[B, 3, R, R]</c>, present when the pipeline normalizes.</summary>
    public const string Pixels = "pixels";

    /// <summary>Decodes <paramref name="imagePaths"/> every epoch; batch indices are positions in that list.</summary>
    /// <param name="normalize">Also put the model input (<see cref="Pixels"/>) in each batch; leave off when the
    /// consumer augments the uint8 images first and normalizes after.</param>
    public static BatchPipeline<RgbImage> FromFiles(IReadOnlyList<string> imagePaths, ClipPreprocessor preprocessor, PipelineOptions? options = null, bool normalize = false) =>
        new(imagePaths.Count, LoadFile(imagePaths, preprocessor), Collate(normalize ? preprocessor : null), options);

    /// <summary>
    /// Reads the images of <paramref name="rows"/> every epoch: table rows from their files, WebDataset samples by
    /// seeking into their shards (<see cref="CaptionRow.TryReadImage"/>); batch indices are positions in the list.
    /// </summary>
    public static BatchPipeline<RgbImage> FromRows(IReadOnlyList<CaptionRow> rows, ClipPreprocessor preprocessor, PipelineOptions? options = null, bool normalize = false) =>
        new(rows.Count, LoadRows(rows, preprocessor), Collate(normalize ? preprocessor : null), options);

    /// <summary>Reads pre-decoded images from <paramref name="cache"/> (no JPEG decoding); missing sources are skipped.</summary>
    public static BatchPipeline<RgbImage> FromCache(DecodedCache cache, ClipPreprocessor preprocessor, PipelineOptions? options = null, bool normalize = false)
    {
        if (cache.Resolution != preprocessor.Resolution)
            throw new ArgumentException($"the cache holds {cache.Resolution} px images but the preprocessor wants {preprocessor.Resolution} px; rebuild the cache", nameof(cache));
        return new(cache.Count, cache.Load, Collate(normalize ? preprocessor : null), options);
    }

    /// <summary>Decode + resize + center crop of <c>imagePaths[index]</c>, or a skip with the decoder's reason.</summary>
    public static ItemLoader<RgbImage> LoadFile(IReadOnlyList<string> imagePaths, ClipPreprocessor preprocessor) =>
        (index, _) => ImageDecoder.TryDecode(imagePaths[index], out var image, out var reason)
            ? preprocessor.ResizeAndCrop(image)
            : LoadResult<RgbImage>.Skip(reason);

    /// <summary>Read + decode + resize + center crop of <c>rows[index]</c>'s image, or a skip with the reason naming it.</summary>
    public static ItemLoader<RgbImage> LoadRows(IReadOnlyList<CaptionRow> rows, ClipPreprocessor preprocessor) =>
        (index, _) => rows[index].TryReadImage(out var image, out var reason)
            ? preprocessor.ResizeAndCrop(image)
            : LoadResult<RgbImage>.Skip(reason);

    /// <summary>Stacks the images into <see cref="Images"/>, plus <see cref="Pixels"/> normalized by <paramref name="normalizeWith"/> if given.</summary>
    public static BatchCollator<RgbImage> Collate(ClipPreprocessor? normalizeWith = null) =>
        (images, _) =>
        {
            var stacked = Stack(images);
            var tensors = new Dictionary<string, Tensor> { [Images] = stacked };
            if (normalizeWith is not null) tensors[Pixels] = normalizeWith.Normalize(stacked);
            return tensors;
        };

    /// <summary>Equal-sized images as one uint8 <c>[B, 3, H, W]</c> tensor, copied once into tensor memory.</summary>
    public static Tensor Stack(IReadOnlyList<RgbImage> images)
    {
        if (images.Count == 0) throw new ArgumentException("no images to stack", nameof(images));
        var (width, height) = (images[0].Width, images[0].Height);
        var imageBytes = 3 * width * height;
        using var hwc = empty(new long[] { images.Count, height, width, 3 }, ScalarType.Byte);
        var destination = hwc.bytes;
        for (var i = 0; i < images.Count; i++)
        {
            if (images[i].Width != width || images[i].Height != height)
                throw new ArgumentException($"image {i} is {images[i].Width}x{images[i].Height}, the first is {width}x{height}", nameof(images));
            images[i].Pixels.CopyTo(destination.Slice(i * imageBytes, imageBytes));
        }
        using var chw = hwc.permute(0, 3, 1, 2);
        return chw.contiguous();
    }
}
