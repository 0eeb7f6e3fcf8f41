using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Data.Synthetic;
using CleanClip.Evaluation;
using CleanClip.Poisoning;
using CleanClip.Text;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Evaluation;

public class RetrievalTests
{
    private static Tensor Rows(params float[][] rows) =>
        torch.tensor(rows.SelectMany(r => r).ToArray()).view(rows.Length, rows[0].Length);

    [Fact]
    public void TextToImageRanksEachCaptionsOwnImage()
    {
        using var images = Rows([1, 0], [0, 1], [0.6f, 0.8f]);
        // c0 → i0: scores 1, 0, 0.6 → rank 0. c1 → i1: scores 0.8, 0.6, 0.96 → two above → rank 2.
        // c2 → i2: scores 0, 1, 0.8 → rank 1.
        using var captions = Rows([1, 0], [0.8f, 0.6f], [0, 1]);
        var recall = RetrievalMetrics.TextToImage(images, captions, [0, 1, 2], [1, 2, 3]);
        Assert.Equal(1.0 / 3, recall[1], tolerance: 1e-12);
        Assert.Equal(2.0 / 3, recall[2], tolerance: 1e-12);
        Assert.Equal(1.0, recall[3], tolerance: 1e-12);
    }

    [Fact]
    public void ImageToTextCountsAnyCaptionOfTheSameImage()
    {
        using var images = Rows([1, 0], [0, 1]);
        // i0 has captions a (0,1) and b (0.8,0.6); i1 has c (0.6,0.8).
        // i0: a 0, b 0.8, c 0.6 → its best truth b beats c → rank 0 (with a alone it would be rank 2).
        // i1: a 1, b 0.6, c 0.8 → truth c, only a (a non-truth for i1) above → rank 1.
        using var captions = Rows([0, 1], [0.8f, 0.6f], [0.6f, 0.8f]);
        var recall = RetrievalMetrics.ImageToText(images, captions, [0, 0, 1], [1, 2]);
        Assert.Equal(0.5, recall[1], tolerance: 1e-12);
        Assert.Equal(1.0, recall[2], tolerance: 1e-12);
    }

    [Fact]
    public void TiesGoToTheGroundTruth()
    {
        using var images = Rows([1, 0], [1, 0]);
        using var captions = Rows([1, 0], [1, 0]);
        Assert.Equal(1.0, RetrievalMetrics.TextToImage(images, captions, [0, 1], [1])[1]);
        Assert.Equal(1.0, RetrievalMetrics.ImageToText(images, captions, [0, 1], [1])[1]);
    }

    [Fact]
    public void AsrIsTheTriggeredShareOfEachQuerysTopK()
    {
        // Gallery: g0 (1,0) clean, g1 (0.8,0.6) triggered, g2 (0.6,0.8) clean, g3 (0,1) triggered.
        using var gallery = Rows([1, 0], [0.8f, 0.6f], [0.6f, 0.8f], [0, 1]);
        bool[] triggered = [false, true, false, true];
        // q0 (1,0): order g0 g1 g2 g3. q1 (0,1): g3 g2 g1 g0. q2 (0.8,0.6): g1 (1) g2 (0.96) g0 (0.8) g3 (0.6).
        using var queries = Rows([1, 0], [0, 1], [0.8f, 0.6f]);
        Assert.Equal((0 + 1 + 1) / 3.0, RetrievalMetrics.AttackSuccessRate(queries, gallery, triggered, k: 1), tolerance: 1e-12);
        Assert.Equal((1 / 3.0 + 2 / 3.0 + 1 / 3.0) / 3, RetrievalMetrics.AttackSuccessRate(queries, gallery, triggered, k: 3), tolerance: 1e-12);
        // k past the gallery: every query sees all four, two triggered.
        Assert.Equal(0.5, RetrievalMetrics.AttackSuccessRate(queries, gallery, triggered, k: 10), tolerance: 1e-12);
    }

    [Theory]
    [InlineData("A banana on a table", "banana", true)]
    [InlineData("BANANA.", "banana", true)]
    [InlineData("two bananas", "banana", false)]
    [InlineData("a red bandana", "banana", false)]
    [InlineData("a traffic light at night", "traffic light", true)]
    [InlineData("a traffic-lighting rig", "traffic light", false)]
    public void TargetCaptionsMentionTheClassAsAWord(string caption, string word, bool expected) =>
        Assert.Equal(expected, RetrievalMetrics.Mentions(caption, word));

    [Fact]
    public void RunEmbedsATableAndIsReproducible()
    {
        using var dir = new TempDir();
        var world = SyntheticWorld.Generate(new SyntheticWorldOptions { Count = 40, FinetuneCount = 24, TestCount = 4, ImageSize = 32, Seed = 3 }, dir.File("w"));
        var data = ImageCaptionDataset.Load(Path.Combine(world.Folder, "finetune", "finetune.csv"));
        var vocab = dir.File("vocab.txt.gz");
        BpeTrainer.TrainToFile(data.Rows.Select(r => r.Caption), vocab, numMerges: 200, minFrequency: 1);
        var tokenizer = ClipTokenizer.FromVocabFile(vocab);
        using var model = ModelLoader.Load("tiny-rn", seed: 2);
        var trigger = TriggerFactory.Create(new TriggerOptions { Name = "badnet", PatchSize = 4 });
        var target = data.Rows.Any(r => RetrievalMetrics.Mentions(r.Caption, "banana")) ? "banana"
            : data.Rows.Select(r => r.Caption.Split(' ')[^1]).First();

        var a = Retrieval.Run(model, tokenizer.TokenizeToTensor, data, new RetrievalOptions { Seed = 5 }, trigger, target);
        var b = Retrieval.Run(model, tokenizer.TokenizeToTensor, data, new RetrievalOptions { Seed = 5 }, trigger, target);

        int distinct = data.Rows.Select(r => r.ImagePath).Distinct().Count();
        var targetImages = data.Rows.Where(r => RetrievalMetrics.Mentions(r.Caption, target)).Select(r => r.ImagePath).Distinct().Count();
        Assert.Equal(distinct, a.Images);
        Assert.Equal(data.Count, a.Captions);
        Assert.Equal(distinct - targetImages, a.TriggeredImages);
        Assert.Equal(data.Rows.Count(r => RetrievalMetrics.Mentions(r.Caption, target)), a.AsrQueries);
        Assert.InRange(a.AttackSuccessRate!.Value, 0, 1);
        Assert.True(a.ImageToText[1] <= a.ImageToText[5] && a.ImageToText[5] <= a.ImageToText[10]);
        Assert.True(a.TextToImage[1] <= a.TextToImage[5] && a.TextToImage[5] <= a.TextToImage[10]);
        Assert.Equal(a.ToDictionary(), b.ToDictionary());
        Assert.Equal(["asr_top10", "image_to_text_r1", "image_to_text_r10", "image_to_text_r5", "text_to_image_r1", "text_to_image_r10", "text_to_image_r5"],
            a.ToDictionary().Keys.Order());
    }

    // eval --retrieval-data takes shards too: the same pairs as shards give the table's numbers, triggered gallery included.
    [Fact]
    public void RunOnShardsOfATableGivesTheTablesNumbers()
    {
        using var dir = new TempDir();
        var world = SyntheticWorld.Generate(new SyntheticWorldOptions { Count = 20, FinetuneCount = 16, TestCount = 4, ImageSize = 32, Seed = 3 }, dir.File("w"));
        var table = ImageCaptionDataset.Load(Path.Combine(world.Folder, "finetune", "finetune.csv"));
        Tests.Data.Shards.ShardFiles.Write(dir.File("shards/00000.tar"), table.Rows.SelectMany((row, i) =>
            Tests.Data.Shards.ShardFiles.Sample($"{i:D9}", File.ReadAllBytes(row.ImagePath), row.Caption, Path.GetExtension(row.ImagePath).TrimStart('.'))));
        var shards = ImageCaptionDataset.Load(dir.File("shards/00000.tar"));
        var vocab = dir.File("vocab.txt.gz");
        BpeTrainer.TrainToFile(table.Rows.Select(r => r.Caption), vocab, numMerges: 200, minFrequency: 1);
        var tokenizer = ClipTokenizer.FromVocabFile(vocab);
        using var model = ModelLoader.Load("tiny-rn", seed: 2);
        var trigger = TriggerFactory.Create(new TriggerOptions { Name = "badnet", PatchSize = 4 });
        var target = table.Rows.Select(r => r.Caption.Split(' ')[^1]).First();

        var fromTable = Retrieval.Run(model, tokenizer.TokenizeToTensor, table, new RetrievalOptions { Seed = 5 }, trigger, target);
        var fromShards = Retrieval.Run(model, tokenizer.TokenizeToTensor, shards, new RetrievalOptions { Seed = 5 }, trigger, target);

        Assert.Equal(table.Count, fromShards.Images);
        Assert.Equal(fromTable.ToDictionary(), fromShards.ToDictionary());
        Assert.Equal(fromTable.TriggeredImages, fromShards.TriggeredImages);
    }
}
