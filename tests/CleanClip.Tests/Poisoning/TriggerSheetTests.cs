using CleanClip.Cli.Commands;
using CleanClip.Data;
using CleanClip.Poisoning;
using SkiaSharp;
using Spectre.Console;
using Xunit;

namespace CleanClip.Tests.Poisoning;

public class TriggerSheetTests
{
    [Fact]
    public void SyntheticSheetHasOneCellPerImageAndColumn()
    {
        using var dir = new TempDir();
        var result = TriggerSheet.Write(new TriggerSheetOptions { Output = dir.File("sheet.png"), Size = 64, Triggers = new() { PatchSize = 8 } });
        var sheet = ImageDecoder.Decode(result.Path);
        // 12 columns (clean + 11 triggers) of 64 px with 6 px gaps: 12·64 + 13·6 = 846.
        // Label band 7·1 + 2·4 = 15, then 3 rows of 64 + 6: 15 + 210 = 225.
        Assert.Equal((846, 225), (sheet.Width, sheet.Height));
        Assert.Equal((3, 12, 846, 225), (result.Rows, result.Columns, result.Width, result.Height));
        // The clean cell of row 0 is the first sample image, pixel for pixel.
        var clean = SampleImages.Create(64)[0];
        for (int y = 0; y < 64; y += 7)
            for (int x = 0; x < 64; x += 5)
                Assert.Equal(clean[x, y], sheet[6 + x, 15 + y]);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void TheSheetNeverReplacesAnInputImageNorLandsAmongThem()
    {
        using var dir = new TempDir();
        var images = Directory.CreateDirectory(dir.File("images")).FullName;
        var a = Path.Combine(images, "a.png");
        var bytes = Png(TriggerImages.Gradient(40, 30));
        File.WriteAllBytes(a, bytes);
        var table = dir.File("list.csv");
        File.WriteAllText(table, "image\nimages/a.png\n");

        Assert.Throws<IOException>(() => TriggerSheet.Write(new TriggerSheetOptions { Output = a, Images = table, Size = 32 }));
        Assert.Throws<IOException>(() => TriggerSheet.Write(new TriggerSheetOptions { Output = table, Images = table, Size = 32 }));
        Assert.Throws<IOException>(() => TriggerSheet.Write(new TriggerSheetOptions { Output = Path.Combine(images, "sheet.png"), Images = images, Size = 32 }));
        Assert.Equal(bytes, File.ReadAllBytes(a));
        Assert.Equal("image\nimages/a.png\n", File.ReadAllText(table));
        Assert.Equal(["a.png"], Directory.EnumerateFileSystemEntries(images).Select(Path.GetFileName));
    }

    [Fact]
    public void CommandDrawsGivenImagesAndSkipsUnreadableOnes()
    {
        using var dir = new TempDir();
        var images = Directory.CreateDirectory(dir.File("images")).FullName;
        foreach (var (name, w, h) in new[] { ("a.png", 120, 90), ("b.png", 90, 120) })
            File.WriteAllBytes(Path.Combine(images, name), Png(TriggerImages.Gradient(w, h)));
        File.WriteAllBytes(Path.Combine(images, "c.png"), [1, 2, 3]);
        var output = dir.File("sheet.png");
        var (exit, text) = Run("--out", output, "--images", images, "--size", "100", "--overflow", "wrap", "--resize", "squash");
        Assert.True(exit == 0, text);
        Assert.Contains("2 × 12 sheet", text);
        Assert.Contains("skipped 1 image(s)", text);
        var sheet = ImageDecoder.Decode(output);
        // 12·100 + 13·6 = 1278 wide; band 15 + 2 rows of 106 = 227 high.
        Assert.Equal((1278, 227), (sheet.Width, sheet.Height));
    }

    [Fact]
    public void CommandRejectsBadOptionsWithoutWriting()
    {
        using var dir = new TempDir();
        var output = dir.File("sheet.png");
        var (exit, text) = Run("--out", output, "--resize", "stretch");
        Assert.Equal(1, exit);
        Assert.Contains("crop, squash", text);
        (exit, text) = Run("--out", output, "--images", dir.File("none"));
        Assert.Equal(1, exit);
        Assert.Contains("no image folder", text);
        (exit, text) = Run("--out", output, "--size", "16");
        Assert.Equal(1, exit);
        Assert.Contains("patch size 16 does not fit a 16x16 image", text);
        Assert.False(File.Exists(output));
        Assert.Equal(0, Run("--out", output, "--size", "16", "--patch-size", "6").Exit);
        Assert.Equal((12 * 16 + 13 * 6, 15 + 3 * 22), (ImageDecoder.Decode(output).Width, ImageDecoder.Decode(output).Height));
    }

    // The command writes through Spectre's AnsiConsole, which keeps whatever writer it was first bound to (another
    // test's disposed StringWriter, say): give it a fresh one for this run and put the old console back after.
    private static (int Exit, string Output) Run(params string[] args) => CleanClip.Tests.Cli.CliRunner.Run(TriggersCommand.Create(), args);

    private static byte[] Png(RgbImage image)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                var (r, g, b) = image[x, y];
                bitmap.SetPixel(x, y, new SKColor(r, g, b));
            }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
