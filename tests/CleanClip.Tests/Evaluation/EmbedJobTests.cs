using System.Text.Json;
using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Evaluation;
using CleanClip.Models;
using CleanClip.Text;
using SkiaSharp;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Evaluation;

/// <summary>The embed and zeroshot jobs end to end on a tiny saved model, a trained vocabulary and generated images.</summary>
public class EmbedJobTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly string modelPath, vocabPath, imagesDir, textsPath;
    private static readonly string[] Captions = ["a red circle", "a blue square on a green background", "a photo of a banana.", ""];

    public EmbedJobTests()
    {
        imagesDir = Directory.CreateDirectory(dir.File("images")).FullName;
        WritePng(Path.Combine(imagesDir, "b.png"), SKColors.Red);
        WritePng(Path.Combine(imagesDir, "a.png"), SKColors.Blue);
        Directory.CreateDirectory(Path.Combine(imagesDir, "sub"));
        WritePng(Path.Combine(imagesDir, "sub", "c.png"), SKColors.Yellow);
        File.WriteAllBytes(Path.Combine(imagesDir, "broken.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        textsPath = dir.File("texts.txt");
        File.WriteAllLines(textsPath, Captions);
        vocabPath = dir.File("vocab.txt.gz");
        BpeTrainer.TrainToFile(Enumerable.Repeat(Captions, 5).SelectMany(c => c), vocabPath, numMerges: 100, minFrequency: 1);
        modelPath = dir.File("tiny.safetensors");
        torch.manual_seed(1);
        using var model = new ClipModel(ModelRegistry.Get("tiny-rn"));
        ModelLoader.Save(model, modelPath);
    }

    public void Dispose() => dir.Dispose();

    private static void WritePng(string path, SKColor color)
    {
        using var bitmap = new SKBitmap(40, 30);
        bitmap.Erase(color);
        bitmap.SetPixel(3, 4, SKColors.White);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    [Fact]
    public void WritesNormalisedRowsInSortedOrderAndReportsBrokenImages()
    {
        var output = dir.File("out");
        var result = EmbedJob.Run(new EmbedOptions { Model = modelPath, Vocab = vocabPath, Images = imagesDir, Texts = textsPath, Output = output, BatchSize = 2 });

        Assert.Equal(3, result.Images);
        Assert.Equal(Captions.Length, result.Texts);
        var skipped = Assert.Single(result.Skipped);
        Assert.Equal("broken.png", skipped.Name);

        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "embed.json")));
        Assert.Equal(["a.png", "b.png", "sub/c.png"], index.RootElement.GetProperty("images").EnumerateArray().Select(e => e.GetString()!));

        using var scope = torch.NewDisposeScope();
        var images = NpyFile.Read(Path.Combine(output, "image_embeddings.npy"));
        var texts = NpyFile.Read(Path.Combine(output, "text_embeddings.npy"));
        Assert.Equal(new long[] { 3, 32 }, images.shape);
        Assert.Equal(new long[] { Captions.Length, 32 }, texts.shape);

        // Each row is what the model gives for that image or caption alone.
        using var model = ModelLoader.Load(modelPath);
        model.eval();
        using var _ = torch.no_grad();
        var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = 32 });
        foreach (var (name, row) in new[] { ("a.png", 0), ("b.png", 1), ("sub/c.png", 2) })
        {
            var pixels = preprocessor.Preprocess([ImageDecoder.Decode(Path.Combine(imagesDir, name))]);
            Models.GoldenVectorTests.AssertClose(model.ImageEmbeddings(pixels)[0], images[row], 1e-5);
        }
        var tokenizer = ClipTokenizer.FromVocabFile(vocabPath);
        for (int i = 0; i < Captions.Length; i++)
            Models.GoldenVectorTests.AssertClose(model.TextEmbeddings(tokenizer.TokenizeToTensor([Captions[i]]))[0], texts[i], 1e-5);
        Models.GoldenVectorTests.AssertClose(torch.ones(3), images.norm(1), 1e-5);
    }

    [Fact]
    public void ReferenceTruncationIsAnExplicitChoiceThatChangesLongCaptions()
    {
        var longText = dir.File("long.txt");
        File.WriteAllLines(longText, [string.Join(" ", Enumerable.Repeat("a red circle on a blue background", 20)), "a red circle"]);
        EmbedJob.Run(new EmbedOptions { Model = modelPath, Vocab = vocabPath, Texts = longText, Output = dir.File("keep") });
        EmbedJob.Run(new EmbedOptions { Model = modelPath, Vocab = vocabPath, Texts = longText, Output = dir.File("ref"), Truncation = TruncationMode.Reference });
        using var scope = torch.NewDisposeScope();
        var keep = NpyFile.Read(Path.Combine(dir.File("keep"), "text_embeddings.npy"));
        var reference = NpyFile.Read(Path.Combine(dir.File("ref"), "text_embeddings.npy"));
        // The long caption loses its EOT under the reference's slicing, so it is pooled at another token.
        Assert.True((keep[0] - reference[0]).abs().max().item<float>() > 1e-3);
        // The short caption is unaffected (up to float noise from the batch being trimmed to another length).
        Models.GoldenVectorTests.AssertClose(keep[1], reference[1], 1e-5);
    }

    [Fact]
    public void ImagesCanComeFromATableInItsRowOrder()
    {
        var table = dir.File("list.csv");
        File.WriteAllText(table, "caption,image\n\"x, y\",images/sub/c.png\n\nz,images/a.png\n");
        var result = EmbedJob.Run(new EmbedOptions { Model = modelPath, Images = table, Output = dir.File("t") });
        Assert.Equal(2, result.Images);
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("t"), "embed.json")));
        Assert.Equal(["images/sub/c.png", "images/a.png"], index.RootElement.GetProperty("images").EnumerateArray().Select(e => e.GetString()!));
    }

    /// <summary>
    /// A table in a "data" folder naming one image inside it and three that lead outside: ../, an absolute path and a
    /// link inside the folder whose target is outside.
    /// </summary>
    private string TableWithRowsOutsideItsFolder()
    {
        var data = Directory.CreateDirectory(dir.File("data")).FullName;
        File.Copy(Path.Combine(imagesDir, "a.png"), Path.Combine(data, "inside.png"));
        File.CreateSymbolicLink(Path.Combine(data, "link.png"), Path.Combine(imagesDir, "b.png"));
        var table = Path.Combine(data, "list.csv");
        File.WriteAllText(table, $"image\ninside.png\n../images/a.png\n{Path.Combine(imagesDir, "b.png")}\nlink.png\n");
        return table;
    }

    [Fact]
    public void EmbedSkipsTableRowsOutsideTheTablesFolderAsTrainDoes()
    {
        var table = TableWithRowsOutsideItsFolder();
        var result = EmbedJob.Run(new EmbedOptions { Model = modelPath, Images = table, Output = dir.File("contained") });
        Assert.Equal(1, result.Images);
        Assert.Equal(["../images/a.png", Path.Combine(imagesDir, "b.png"), "link.png"], result.Skipped.Select(s => s.Name));
        Assert.All(result.Skipped, s => Assert.StartsWith(SkipReason.OutsideRoot, s.Reason));
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("contained"), "embed.json")));
        Assert.Equal(["inside.png"], index.RootElement.GetProperty("images").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(3, index.RootElement.GetProperty("skipped_images").GetArrayLength());

        // The same rule as train's reader, row for row.
        var captions = Path.Combine(Path.GetDirectoryName(table)!, "captions.csv");
        File.WriteAllLines(captions, ["image,caption", .. File.ReadAllLines(table).Skip(1).Select(p => $"{p},a caption")]);
        Assert.Equal(3, ImageCaptionDataset.Load(captions).Skipped.Counts[SkipReason.OutsideRoot]);

        var allowed = EmbedJob.Run(new EmbedOptions { Model = modelPath, Images = table, Output = dir.File("allowed"), AllowOutsideRoot = true });
        Assert.Equal(4, allowed.Images);
    }

    [Fact]
    public void ZeroShotSkipsTableRowsOutsideTheTablesFolder()
    {
        var classes = dir.File("classes.json");
        File.WriteAllText(classes, """{"classes": ["circle", "square"], "templates": ["a {}"]}""");
        var options = new ZeroShotOptions { Model = modelPath, Vocab = vocabPath, Classes = classes, Images = TableWithRowsOutsideItsFolder() };
        var result = ZeroShotJob.Run(options);
        Assert.Equal(["inside.png"], result.Predictions.Select(p => p.Image));
        Assert.Equal(3, result.Skipped.Count);
        Assert.Equal(4, ZeroShotJob.Run(options with { AllowOutsideRoot = true }).Predictions.Count);
    }

    [Fact]
    public void ZeroShotRanksTheClassWhoseEmbeddingIsClosest()
    {
        var classes = dir.File("classes.json");
        File.WriteAllText(classes, """{"classes": ["circle", "square", "banana"], "templates": ["a {}", "a photo of a {}."]}""");
        var result = ZeroShotJob.Run(new ZeroShotOptions { Model = modelPath, Vocab = vocabPath, Classes = classes, Images = imagesDir, TopK = 2 });
        Assert.Equal(3, result.Predictions.Count);
        Assert.All(result.Predictions, p => Assert.Equal(2, p.Top.Count));
        Assert.All(result.Predictions, p => Assert.True(p.Top[0].Score >= p.Top[1].Score));
        Assert.Single(result.Skipped);
    }

    [Fact]
    public void AVocabularyLargerThanTheModelsIsRefused()
    {
        var small = dir.File("small.safetensors");
        using (var model = new ClipModel(ModelRegistry.Get("tiny-rn") with { VocabSize = 520 }))
            ModelLoader.Save(model, small);
        var error = Assert.Throws<ArgumentException>(() =>
            EmbedJob.Run(new EmbedOptions { Model = small, Vocab = vocabPath, Texts = textsPath, Output = dir.File("o2") }));
        Assert.Contains("vocabulary", error.Message);
        Assert.Contains("embeds only 520", error.Message);
        Assert.False(File.Exists(Path.Combine(dir.File("o2"), "embed.json")));
    }
}
