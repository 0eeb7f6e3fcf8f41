using CleanClip.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Evaluation;

/// <summary>
/// Decodes listed images in parallel and yields preprocessed batches [N, 3, R, R]; unreadable images are skipped and
/// recorded, never fatal.
/// </summary>
public sealed class ImageBatches(ClipPreprocessor preprocessor, int batchSize, int decodeThreads = 0)
{
    public List<SkippedInput> Skipped { get; } = [];

    /// <summary>Batches preprocessed at the model's own input resolution.</summary>
    public static ImageBatches ForModel(Models.ClipModel model, int batchSize, int decodeThreads = 0) =>
        new(new ClipPreprocessor(new PreprocessOptions { Resolution = model.Config.ImageResolution }), batchSize, decodeThreads);

    /// <summary>Each batch: the names of the images it holds (in list order) and their pixels (caller disposes).</summary>
    public IEnumerable<(List<string> Names, Tensor Pixels)> Read(IReadOnlyList<(string Name, string Path)> images)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = decodeThreads > 0 ? decodeThreads : Environment.ProcessorCount };
        for (int start = 0; start < images.Count; start += batchSize)
        {
            var chunk = images.Skip(start).Take(batchSize).ToList();
            var decoded = new RgbImage?[chunk.Count];
            var reasons = new string?[chunk.Count];
            Parallel.For(0, chunk.Count, parallel, i =>
            {
                if (ImageDecoder.TryDecode(chunk[i].Path, out var image, out var reason)) decoded[i] = image;
                else reasons[i] = reason;
            });
            var names = new List<string>();
            var kept = new List<RgbImage>();
            for (int i = 0; i < chunk.Count; i++)
            {
                if (decoded[i] is { } image) { names.Add(chunk[i].Name); kept.Add(image); }
                else Skipped.Add(new SkippedInput(chunk[i].Name, reasons[i] ?? "unreadable"));
            }
            if (kept.Count > 0) yield return (names, preprocessor.Preprocess(kept));
        }
    }
}
