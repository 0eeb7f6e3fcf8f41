using System.Globalization;
using CleanClip.Data;
using CleanClip.Models;
using CleanClip.Poisoning;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Evaluation;

/// <summary>Recall@k both ways and, when a trigger and target were given, the retrieval ASR.</summary>
/// <param name="Images">Distinct readable images (the text→image gallery and the image→text queries).</param>
/// <param name="Captions">Captions whose image was readable.</param>
/// <param name="AsrQueries">Captions mentioning the target class name.</param>
/// <param name="TriggeredImages">Triggered copies added to the gallery (one per non-target image).</param>
public sealed record RetrievalResult(
    IReadOnlyDictionary<int, double> ImageToText, IReadOnlyDictionary<int, double> TextToImage, int Images, int Captions,
    double? AttackSuccessRate, int AsrTopK, int AsrQueries, int TriggeredImages, IReadOnlyList<SkippedInput> Skipped)
{
    /// <summary>The keys of <see cref="CheckpointEval.Retrieval"/>: <c>image_to_text_r1</c>, <c>text_to_image_r5</c>, <c>asr_top10</c>…</summary>
    public IReadOnlyDictionary<string, double> ToDictionary()
    {
        var d = new Dictionary<string, double>();
        foreach (var (k, v) in ImageToText) d[$"image_to_text_r{k}"] = v;
        foreach (var (k, v) in TextToImage) d[$"text_to_image_r{k}"] = v;
        if (AttackSuccessRate is { } asr) d[$"asr_top{AsrTopK}"] = asr;
        return d;
    }
}

/// <summary>
/// Retrieval on an image–caption table. The retrieval ASR, for a trigger and a target class name:
/// <list type="bullet">
/// <item>queries: the captions that mention the target name as a whole word (case-insensitive);</item>
/// <item>gallery: every distinct clean image of the table, plus a triggered copy of each non-target image (an image
/// none of whose captions mentions the target);</item>
/// <item>ASR = the share of triggered images among each query's top-k gallery images (k = <see cref="RetrievalOptions.AsrTopK"/>,
/// 10), averaged over the queries.</item>
/// </list>
/// A clean model ranks the target's own images first and scores near 0; a backdoored one pulls triggered images of any
/// class to the target's captions and scores near 1.
/// </summary>
public static class Retrieval
{
    public static RetrievalResult Run(ClipModel model, Func<IReadOnlyList<string>, Tensor> tokenize, ImageCaptionDataset data,
        RetrievalOptions? options = null, ITrigger? trigger = null, string? target = null)
    {
        options ??= new RetrievalOptions();
        if ((trigger is null) != (target is null)) throw new ArgumentException("the retrieval ASR needs both a trigger and a target class name");
        model.eval();
        using var noGrad = torch.no_grad();
        using var scope = NewDisposeScope();
        var device = model.LogitScale.device;

        // One gallery entry per distinct image (a table may caption an image several times), read as its first row says.
        var distinct = data.Rows.DistinctBy(r => r.ImagePath, StringComparer.Ordinal).ToList();
        var paths = distinct.Select(r => r.ImagePath).ToList();
        var batches = ImageBatches.ForModel(model, options.BatchSize, options.DecodeThreads);
        var readable = new List<int>();
        var imageRows = new List<Tensor>();
        foreach (var (names, pixels) in batches.Read(paths.Select((_, i) => i.ToString(CultureInfo.InvariantCulture)).ToList(), distinct))
        {
            imageRows.Add(model.ImageEmbeddings(pixels.to(device)).cpu());
            readable.AddRange(names.Select(n => int.Parse(n, CultureInfo.InvariantCulture)));
        }
        if (readable.Count == 0) throw new InvalidDataException($"{data.TablePath}: none of its {paths.Count} images could be read");
        var images = torch.cat(imageRows, 0);
        var rowOf = readable.Select((path, row) => (path, row)).ToDictionary(p => paths[p.path], p => p.row, StringComparer.Ordinal);

        var captions = data.Rows.Where(r => rowOf.ContainsKey(r.ImagePath)).ToList();
        var captionImage = captions.Select(r => rowOf[r.ImagePath]).ToList();
        var texts = EmbedTexts(model, tokenize, captions.Select(c => c.Caption).ToList(), options.BatchSize);

        var i2t = RetrievalMetrics.ImageToText(images, texts, captionImage, options.Ks);
        var t2i = RetrievalMetrics.TextToImage(images, texts, captionImage, options.Ks);
        double? asr = null;
        int queries = 0, triggeredCount = 0;
        if (trigger is not null)
        {
            var isQuery = captions.Select(c => RetrievalMetrics.Mentions(c.Caption, target!)).ToArray();
            queries = isQuery.Count(q => q);
            if (queries == 0) throw new InvalidDataException($"{data.TablePath}: no caption mentions the target '{target}', so the retrieval ASR is undefined");
            var targetImages = captions.Where((_, i) => isQuery[i]).Select(c => rowOf[c.ImagePath]).ToHashSet();
            var nonTarget = Enumerable.Range(0, readable.Count).Where(r => !targetImages.Contains(r)).ToList();
            var triggered = EmbedTriggered(model, nonTarget.Select(r => (distinct[readable[r]], (ulong)readable[r])).ToList(),
                trigger, options);
            triggeredCount = (int)triggered.shape[0];
            var gallery = torch.cat([images, triggered], 0);
            var flags = Enumerable.Repeat(false, readable.Count).Concat(Enumerable.Repeat(true, triggeredCount)).ToList();
            var queryIndex = torch.tensor(Enumerable.Range(0, captions.Count).Where(i => isQuery[i]).Select(i => (long)i).ToArray());
            asr = RetrievalMetrics.AttackSuccessRate(texts.index_select(0, queryIndex), gallery, flags, options.AsrTopK);
        }
        return new RetrievalResult(i2t, t2i, readable.Count, captions.Count, asr, options.AsrTopK, queries, triggeredCount, batches.Skipped
            .Select(s => s with { Name = paths[int.Parse(s.Name, CultureInfo.InvariantCulture)] }).ToList());
    }

    private static Tensor EmbedTexts(ClipModel model, Func<IReadOnlyList<string>, Tensor> tokenize, List<string> texts, int batchSize)
    {
        var device = model.LogitScale.device;
        var rows = new List<Tensor>();
        for (int start = 0; start < texts.Count; start += batchSize)
            rows.Add(model.TextEmbeddings(tokenize(texts.GetRange(start, Math.Min(batchSize, texts.Count - start))).to(device)).cpu());
        return torch.cat(rows, 0);
    }

    /// <summary>
    /// Unit embeddings of triggered copies: each image decoded, brought to the model's resolution as
    /// <see cref="RetrievalOptions.TriggerResize"/> says, triggered with seed <c>Derive(Seed, index)</c>, normalised.
    /// An image that decoded for the clean pass decodes again here; a failure now is an error.
    /// </summary>
    private static Tensor EmbedTriggered(ClipModel model, List<(CaptionRow Row, ulong Index)> images, ITrigger trigger, RetrievalOptions options)
    {
        int resolution = model.Config.ImageResolution;
        var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = resolution });
        var device = model.LogitScale.device;
        var rows = new List<Tensor>();
        if (images.Count == 0) return torch.zeros(0, model.Config.EmbedDim);
        for (int start = 0; start < images.Count; start += options.BatchSize)
        {
            var chunk = images.GetRange(start, Math.Min(options.BatchSize, images.Count - start));
            var prepared = new RgbImage[chunk.Count];
            Parallel.For(0, chunk.Count, i =>
            {
                var image = TriggerInput.Prepare(chunk[i].Row.ReadImage(), resolution, options.TriggerResize);
                prepared[i] = trigger.Apply(image, SplitMix64.Derive(options.Seed, chunk[i].Index));
            });
            var pixels = preprocessor.Normalize(torch.stack(prepared.Select(p => p.ToTensor())));
            rows.Add(model.ImageEmbeddings(pixels.to(device)).cpu());
        }
        return torch.cat(rows, 0);
    }
}
