using CleanClip.Data;
using SkiaSharp;

namespace CleanClip.Poisoning;

/// <summary>
/// A contact sheet: one row per image, a clean column then one column per trigger, names in a band on top. Cells are
/// S×S with <see cref="Gap"/> pixels between and around them, so the sheet is
/// <c>columns·S + (columns + 1)·Gap</c> wide and <c>band + rows·(S + Gap)</c> high, where
/// <c>band = 7·scale + 2·<see cref="LabelPadding"/></c> and the label scale is <c>clamp(S / 100, 1, 3)</c>.
/// </summary>
public static class TriggerSheet
{
    public const int Gap = 6;
    public const int LabelPadding = 4;

    public sealed record Result(string Path, int Width, int Height, int Rows, int Columns, IReadOnlyList<SkippedInput> Skipped);

    /// <summary>Loads (or synthesises) the images, prepares them at the cell size, applies every trigger and writes the PNG atomically.</summary>
    public static Result Write(TriggerSheetOptions options)
    {
        if (options.Size < 8) throw new ArgumentOutOfRangeException(nameof(options), $"sheet cell size must be at least 8 pixels, got {options.Size}");
        if (options.MaxImages < 1) throw new ArgumentOutOfRangeException(nameof(options), $"max images must be positive, got {options.MaxImages}");
        var skipped = new List<SkippedInput>();
        var images = options.Images is null ? SampleImages.Create(options.Size) : Load(options.Images, options.Output, options.MaxImages, skipped);
        var prepared = images.Select(i => TriggerInput.Prepare(i, options.Size, options.ResizeMode)).ToList();
        var triggers = TriggerFactory.CreateAll(options.Triggers);
        var sheet = Render(prepared, triggers, options.Seed);
        var png = PngWriter.Encode(sheet);
        AtomicFile.Write(options.Output, stream => stream.Write(png));
        return new Result(Path.GetFullPath(options.Output), sheet.Width, sheet.Height, prepared.Count, triggers.Count + 1, skipped);
    }

    /// <summary>The sheet for square images of one size; row r's triggers get image seed <c>SplitMix64.Derive(seed, r)</c>.</summary>
    public static RgbImage Render(IReadOnlyList<RgbImage> images, IReadOnlyList<ITrigger> triggers, ulong seed)
    {
        if (images.Count == 0) throw new ArgumentException("a contact sheet needs at least one image", nameof(images));
        int size = images[0].Width;
        if (images.Any(i => i.Width != size || i.Height != size))
            throw new ArgumentException($"contact-sheet images must all be {size}x{size}", nameof(images));
        int scale = Math.Clamp(size / 100, 1, 3);
        int band = PixelFont.GlyphHeight * scale + 2 * LabelPadding;
        string[] labels = ["clean", .. triggers.Select(t => t.Name)];
        int width = labels.Length * size + (labels.Length + 1) * Gap;
        int height = band + images.Count * (size + Gap);

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var ink = new SKPaint { Color = new SKColor(30, 30, 30), IsAntialias = false };
        for (int col = 0; col < labels.Length; col++)
        {
            int left = Gap + col * (size + Gap);
            int textWidth = PixelFont.Measure(labels[col], scale).Width;
            canvas.Save();
            canvas.ClipRect(SKRect.Create(left, 0, size, band));
            PixelFont.Draw(canvas, labels[col], left + Math.Max(0, (size - textWidth) / 2), LabelPadding, scale, ink);
            canvas.Restore();
        }
        for (int row = 0; row < images.Count; row++)
        {
            ulong imageSeed = SplitMix64.Derive(seed, (ulong)row);
            int top = band + row * (size + Gap);
            for (int col = 0; col < labels.Length; col++)
            {
                var cell = col == 0 ? images[row] : triggers[col - 1].Apply(images[row], imageSeed);
                using var cellBitmap = SkiaRaster.ToBitmap(cell);
                canvas.DrawBitmap(cellBitmap, Gap + col * (size + Gap), top);
            }
        }
        canvas.Flush();
        return SkiaRaster.FromBitmap(bitmap);
    }

    private static List<RgbImage> Load(string source, string output, int max, List<SkippedInput> skipped)
    {
        var outside = new List<SkippedRow>();
        var listed = ImageList.From(source, skipped: outside);
        skipped.AddRange(outside.Select(SkippedInput.From));
        // The sheet must not replace an input, nor land in the image folder where the next run would read it.
        OwnedFolder.EnsureApart(output, listed.Select(i => i.Path).Prepend(source), "write the sheet to");
        var images = new List<RgbImage>();
        foreach (var (name, path) in listed)
        {
            if (images.Count == max) break;
            if (ImageDecoder.TryDecode(path, out var image, out var reason)) images.Add(image);
            else skipped.Add(new SkippedInput(name, reason));
        }
        if (images.Count == 0)
            throw new InvalidDataException($"no readable images in {source}" + (skipped.Count > 0 ? $" ({skipped.Count} unreadable)" : ""));
        return images;
    }
}
