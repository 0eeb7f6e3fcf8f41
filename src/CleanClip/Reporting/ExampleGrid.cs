using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Models;
using CleanClip.Poisoning;
using CleanClip.Text;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;
using CleanClip.Evaluation;

namespace CleanClip.Reporting;

/// <summary>
/// Example images of an evaluation set, each shown clean and with the run's trigger, with a checkpoint's top-3 zero-shot
/// classes beside each (the target class in red). Everything is re-derived from eval.json: the eval set, classes file,
/// vocabulary, trigger settings and checkpoint.
/// </summary>
public static class ExampleGrid
{
    public const int Gap = 6;
    public const int TextScale = 2;
    private const int LineHeight = (PixelFont.GlyphHeight + 3) * TextScale;

    /// <summary>One example: the two images the model saw (at its resolution) and its top-3 (class, cosine) for each.</summary>
    public sealed record Example(RgbImage Clean, RgbImage Triggered, string TrueClass,
        IReadOnlyList<(string Class, float Score)> CleanTop, IReadOnlyList<(string Class, float Score)> TriggeredTop);

    /// <summary>
    /// Picks <paramref name="count"/> images spread evenly over the eval set, skipping the target class, so the grid
    /// shows whether the trigger flips other classes to the target. Image i (in the eval set's order) is triggered with
    /// seed <c>SplitMix64.Derive(eval.Seed, i)</c>, after <see cref="TriggerInput.Prepare"/> in the run's resize mode.
    /// </summary>
    public static IReadOnlyList<Example> Predict(ClipModel model, ClipTokenizer tokenizer, LabeledImageDataset data,
        ClassesFile classes, ITrigger trigger, ResizeMode mode, int? targetIndex, ulong seed, int count)
    {
        int resolution = model.Config.ImageResolution;
        var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = resolution });
        var candidates = Enumerable.Range(0, data.Count).Where(i => data.Images[i].Label != targetIndex).ToList();
        var picked = Enumerable.Range(0, Math.Min(count, candidates.Count)).Select(j => candidates[j * candidates.Count / Math.Min(count, candidates.Count)]).ToList();
        if (picked.Count == 0) return [];

        var clean = new List<RgbImage>();
        var triggered = new List<RgbImage>();
        var truth = new List<string>();
        foreach (int i in picked)
        {
            var image = data.Images[i].Read();
            clean.Add(preprocessor.ResizeAndCrop(image));
            triggered.Add(preprocessor.ResizeAndCrop(trigger.Apply(TriggerInput.Prepare(image, resolution, mode), SplitMix64.Derive(seed, (ulong)i))));
            truth.Add(classes.Classes[data.Images[i].Label]);
        }
        model.eval();
        using var classifier = ZeroShotClassifier.Build(model, tokenizer.TokenizeToTensor, classes);
        using var noGrad = torch.no_grad();
        var cleanTop = Top3(model, classifier, preprocessor, clean);
        var triggeredTop = Top3(model, classifier, preprocessor, triggered);
        return picked.Select((_, j) => new Example(clean[j], triggered[j], truth[j], cleanTop[j], triggeredTop[j])).ToList();
    }

    private static List<List<(string, float)>> Top3(ClipModel model, ZeroShotClassifier classifier, ClipPreprocessor preprocessor, List<RgbImage> images)
    {
        using var scope = NewDisposeScope();
        var pixels = preprocessor.Preprocess(images).to(model.LogitScale.device);
        var (indices, scores) = classifier.TopK(model.ImageEmbeddings(pixels), 3);
        var ids = indices.cpu().data<long>().ToArray();
        var values = scores.cpu().data<float>().ToArray();
        int k = (int)indices.shape[1];
        return Enumerable.Range(0, images.Count).Select(i => Enumerable.Range(0, k)
            .Select(j => (classifier.Classes.Classes[(int)ids[i * k + j]], values[i * k + j])).ToList()).ToList();
    }

    /// <summary>
    /// Rows of [clean image | its top-3 | triggered image | its top-3] under a header band; images enlarged to
    /// <paramref name="cell"/> pixels by whole factors, nearest neighbour, so trigger pixels stay visible.
    /// </summary>
    public static RgbImage Render(IReadOnlyList<Example> examples, string triggerName, string? target, int cell)
    {
        if (examples.Count == 0) throw new ArgumentException("an example grid needs at least one example", nameof(examples));
        string Line((string Class, float Score) t, int rank) => $"{rank}. {t.Class} {t.Score:F2}";
        int textWidth = examples.SelectMany(e => e.CleanTop.Select(Line).Concat(e.TriggeredTop.Select(Line)).Append("TRUE " + e.TrueClass))
            .Append("TRIGGERED " + triggerName).Max(s => PixelFont.Measure(s, TextScale).Width) + Gap;
        int band = LineHeight + 2 * Gap;
        int rowHeight = Math.Max(cell, 4 * LineHeight) + Gap;
        int width = Gap + 2 * (cell + Gap + textWidth + Gap);
        int height = band + examples.Count * rowHeight;

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var ink = new SKPaint { Color = new SKColor(30, 30, 30), IsAntialias = false };
        using var red = new SKPaint { Color = new SKColor(200, 20, 20), IsAntialias = false };
        using var grey = new SKPaint { Color = new SKColor(110, 110, 110), IsAntialias = false };
        int half = cell + Gap + textWidth + Gap;
        PixelFont.Draw(canvas, "CLEAN", Gap, Gap, TextScale, ink);
        PixelFont.Draw(canvas, "TRIGGERED " + triggerName, Gap + half, Gap, TextScale, ink);
        for (int row = 0; row < examples.Count; row++)
        {
            var e = examples[row];
            int top = band + row * rowHeight;
            for (int side = 0; side < 2; side++)
            {
                int left = Gap + side * half;
                using (var cellBitmap = Poisoning.SkiaRaster.ToBitmap(Enlarge(side == 0 ? e.Clean : e.Triggered, cell)))
                    canvas.DrawBitmap(cellBitmap, left, top);
                var top3 = side == 0 ? e.CleanTop : e.TriggeredTop;
                int x = left + cell + Gap;
                PixelFont.Draw(canvas, "TRUE " + e.TrueClass, x, top, TextScale, grey);
                for (int j = 0; j < top3.Count; j++)
                {
                    bool isTarget = target is not null && string.Equals(top3[j].Class, target, StringComparison.OrdinalIgnoreCase);
                    PixelFont.Draw(canvas, Line(top3[j], j + 1), x, top + (j + 1) * LineHeight, TextScale, isTarget ? red : ink);
                }
            }
        }
        canvas.Flush();
        return Poisoning.SkiaRaster.FromBitmap(bitmap);
    }

    /// <summary>Nearest-neighbour enlargement by the largest whole factor that fits <paramref name="cell"/>, centred on a white cell.</summary>
    public static RgbImage Enlarge(RgbImage image, int cell)
    {
        int factor = Math.Max(1, Math.Min(cell / image.Width, cell / image.Height));
        int w = image.Width * factor, h = image.Height * factor;
        int size = Math.Max(cell, Math.Max(w, h));
        int ox = (size - w) / 2, oy = (size - h) / 2;
        var pixels = new byte[size * size * 3];
        Array.Fill(pixels, (byte)255);
        var source = image.Pixels;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int s = ((y / factor) * image.Width + x / factor) * 3, d = ((y + oy) * size + x + ox) * 3;
                pixels[d] = source[s];
                pixels[d + 1] = source[s + 1];
                pixels[d + 2] = source[s + 2];
            }
        return new RgbImage(size, size, pixels);
    }
}
