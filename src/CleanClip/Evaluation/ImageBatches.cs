using CleanClip.Data;
using CleanClip.Data.Pipeline;
using static TorchSharp.torch;

namespace CleanClip.Evaluation;

/// <summary>
/// Evaluation batches [N, 3, R, R] of listed images in list order, decoded ahead by the training pipeline's prefetching
/// threads; unreadable images are skipped and recorded, never fatal.
/// </summary>
public sealed class ImageBatches(ClipPreprocessor preprocessor, int batchSize, int decodeThreads = 0)
{
    public List<SkippedInput> Skipped { get; } = [];

    /// <summary>Batches preprocessed at the model's own input resolution.</summary>
    public static ImageBatches ForModel(Models.ClipModel model, int batchSize, int decodeThreads = 0) =>
        new(new ClipPreprocessor(new PreprocessOptions { Resolution = model.Config.ImageResolution }), batchSize, decodeThreads);

    /// <summary>
    /// Each batch: the names of the images it holds (in list order) and their normalised pixels. The pixels belong to
    /// the batch and are freed when the enumeration moves on: use them inside the loop body.
    /// </summary>
    public IEnumerable<(List<string> Names, Tensor Pixels)> Read(IReadOnlyList<(string Name, string Path)> images) =>
        Read(images.Select(i => i.Name).ToList(), ImagePipeline.LoadFile(images.Select(i => i.Path).ToList(), preprocessor));

    /// <summary>Like the file list, for image–caption rows: table rows' files, or WebDataset samples read from their shards.</summary>
    public IEnumerable<(List<string> Names, Tensor Pixels)> Read(IReadOnlyList<string> names, IReadOnlyList<CaptionRow> rows) =>
        Read(names.ToList(), ImagePipeline.LoadRows(rows, preprocessor));

    /// <summary>Like the file list, for a labeled set whose images may be held in memory; names are relative to <paramref name="root"/>.</summary>
    public IEnumerable<(List<string> Names, Tensor Pixels)> Read(IReadOnlyList<LabeledImage> images, string root) =>
        Read(images.Select(i => Path.GetRelativePath(root, i.ImagePath).Replace('\\', '/')).ToList(),
            (index, _) => images[index].TryRead(out var image, out var reason) ? preprocessor.ResizeAndCrop(image) : LoadResult<RgbImage>.Skip(reason));

    private IEnumerable<(List<string> Names, Tensor Pixels)> Read(List<string> names, ItemLoader<RgbImage> load)
    {
        if (names.Count == 0) yield break;
        var options = new PipelineOptions { BatchSize = batchSize, DecodeThreads = decodeThreads, Shuffle = false };
        var pipeline = new BatchPipeline<RgbImage>(names.Count, load, ImagePipeline.Collate(preprocessor), options);
        using var epoch = pipeline.Start(epoch: 0);
        foreach (var batch in epoch)
            using (batch)
                yield return (batch.Indices.Select(i => names[i]).ToList(), batch[ImagePipeline.Pixels]);
        Skipped.AddRange(epoch.Skipped.OrderBy(s => s.Index).Select(s => new SkippedInput(names[s.Index], s.Reason)));
    }
}
