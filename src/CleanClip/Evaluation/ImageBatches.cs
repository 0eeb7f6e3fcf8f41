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
    public IEnumerable<(List<string> Names, Tensor Pixels)> Read(IReadOnlyList<(string Name, string Path)> images)
    {
        if (images.Count == 0) yield break;
        var options = new PipelineOptions { BatchSize = batchSize, DecodeThreads = decodeThreads, Shuffle = false };
        var pipeline = ImagePipeline.FromFiles(images.Select(i => i.Path).ToList(), preprocessor, options, normalize: true);
        using var epoch = pipeline.Start(epoch: 0);
        foreach (var batch in epoch)
            using (batch)
                yield return (batch.Indices.Select(i => images[i].Name).ToList(), batch[ImagePipeline.Pixels]);
        Skipped.AddRange(epoch.Skipped.OrderBy(s => s.Index).Select(s => new SkippedInput(images[s.Index].Name, s.Reason)));
    }
}
