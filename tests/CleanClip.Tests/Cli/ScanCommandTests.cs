using System.Security.Cryptography;
using System.Text.Json;
using CleanClip.Cli.Commands;
using CleanClip.Data;
using CleanClip.Detection;
using CleanClip.Models;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Cli;

/// <summary>
/// <c>cleanclip scan</c> end to end on a 40-row table (random-noise images, three of them flagged is_backdoor) with a
/// fresh tiny-vit: what it writes, what it reuses, what it refuses.
/// </summary>
public sealed class ScanCommandTests : IDisposable
{
    private const int Rows = 40;
    private readonly TempDir _dir = new();
    private readonly string _table;
    private readonly string _cache;

    public ScanCommandTests()
    {
        _table = WriteTable(_dir.Path, Rows);
        _cache = _dir.File("cache");
    }

    public void Dispose() => _dir.Dispose();

    private static string WriteTable(string folder, int rows)
    {
        Directory.CreateDirectory(Path.Combine(folder, "images"));
        var random = new SplitMix64(11);
        var lines = new List<string> { "image,caption,is_backdoor,extra" };
        for (int i = 0; i < rows; i++)
        {
            var pixels = new byte[32 * 32 * 3];
            for (int p = 0; p < pixels.Length; p++) pixels[p] = (byte)random.NextInt(256);
            File.WriteAllBytes(Path.Combine(folder, "images", $"{i:D3}.png"), PngWriter.Encode(new RgbImage(32, 32, pixels)));
            lines.Add($"images/{i:D3}.png,\"a photo, number {i}\",{(i % 13 == 5 ? 1 : 0)},x{i}");
        }
        var table = Path.Combine(folder, "table.csv");
        File.WriteAllLines(table, lines);
        return table;
    }

    /// <summary>Runs scan with k 4 and reference batches of 20 unless <paramref name="extra"/> sets them.</summary>
    private (int Exit, string Output) Scan(string output, params string[] extra) => ScanOf(_table, output, extra);

    private (int Exit, string Output) ScanOf(string data, string output, params string[] extra)
    {
        string[] defaults = [.. extra.Contains("--k") ? [] : new[] { "--k", "4" }, .. extra.Contains("--reference-batch") ? [] : new[] { "--reference-batch", "20" }];
        return CliRunner.Run(ScanCommand.Create(), ["--checkpoint", "tiny-vit", "--train-data", data, "--out", output, "--cache-dir", _cache,
            "--decode-threads", "1", .. defaults, .. extra]);
    }

    /// <summary>A BPE vocabulary learned from the table's captions, for the caption side of tiny-vit.</summary>
    private string WriteVocab()
    {
        var vocab = _dir.File("vocab.txt.gz");
        if (!File.Exists(vocab))
            CleanClip.Text.BpeTrainer.TrainToFile(Enumerable.Range(0, Rows).Select(i => $"a photo, number {i}"), vocab, numMerges: 200, minFrequency: 1);
        return vocab;
    }

    private static string[] ScoresOf(string folder) => File.ReadAllLines(Path.Combine(folder, ScanJob.ScoresFile));

    private static JsonDocument SummaryOf(string folder) => JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, ScanJob.SummaryFile)));

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void TheTextAndJointSidesScoreTheCaptionsAndThePairs()
    {
        var vocab = WriteVocab();
        JsonElement Summary(string folder) => SummaryOf(folder).RootElement;

        var (exit, text) = Scan(_dir.File("text"), "--side", "Text", "--vocab", vocab);
        Assert.True(exit == 0, text);
        var summary = Summary(_dir.File("text"));
        Assert.Equal("text", summary.GetProperty("side").GetString());
        Assert.Equal(32, summary.GetProperty("embed_dim").GetInt32());        // tiny-vit's embedding
        Assert.Equal(Rows, summary.GetProperty("scored").GetInt32());
        Assert.False(summary.TryGetProperty("text_embeddings", out _));

        (exit, text) = Scan(_dir.File("joint"), "--side", "Joint", "--vocab", vocab);
        Assert.True(exit == 0, text);
        summary = Summary(_dir.File("joint"));
        Assert.Equal("joint", summary.GetProperty("side").GetString());
        Assert.Equal(64, summary.GetProperty("embed_dim").GetInt32());        // image and text side by side
        // The joint scan reused the text scan's caption embeddings from the cache.
        Assert.Equal(Summary(_dir.File("text")).GetProperty("embeddings").GetString(), summary.GetProperty("text_embeddings").GetString());
        Assert.Equal(3, summary.GetProperty("metrics").GetProperty("multik").GetProperty("poisoned").GetInt32());

        (exit, text) = Scan(_dir.File("no-vocab"), "--side", "Text");
        Assert.Equal(1, exit);
        Assert.Contains("--vocab", text);
        Assert.False(Directory.Exists(_dir.File("no-vocab")));
    }

    [Fact]
    public void TheModelsVocabularyAddsPmiAndCombinedAsThePrimary()
    {
        var vocab = WriteVocab();
        var output = _dir.File("pmi");
        var filtered = _dir.File("pmi-filtered.csv");
        var (exit, text) = Scan(output, "--vocab", vocab, "--filter-out", filtered, "--remove-top", "2");
        Assert.True(exit == 0, text);
        var scores = ScoresOf(output);
        Assert.Equal("row,line,image,caption,is_backdoor,kdist,slof,dao,multik,samecaption,pmi,combined,rank", scores[0]);
        using var summary = SummaryOf(output);
        var root = summary.RootElement;
        Assert.Equal("combined", root.GetProperty("primary").GetString());
        // A fresh model's temperature: CLIP's initial 1 / 0.07.
        Assert.Equal(1 / 0.07, root.GetProperty("logit_scale").GetDouble(), 1e-4);
        Assert.True(File.Exists(root.GetProperty("text_embeddings").GetString()));
        Assert.Equal(3, root.GetProperty("metrics").GetProperty("pmi").GetProperty("poisoned").GetInt32());

        // Every pmi lies below ln 20 (the reference batch); combined is the larger of multik and standardised pmi, and
        // ranks the rows; the filter drops the two it ranks first.
        var rows = scores.Skip(1).Select(l => l.Split(',')).ToList();
        double Field(string[] f, int fromEnd) => double.Parse(f[^fromEnd], System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(rows, f => Assert.True(Field(f, 3) < Math.Log(20), $"pmi {f[^3]}"));
        Assert.All(rows, f => Assert.True(Field(f, 2) >= Field(f, 5) - 1e-6, $"combined {f[^2]} below multik {f[^5]}"));
        Assert.Equal(Enumerable.Range(1, Rows), rows.OrderByDescending(f => Field(f, 2)).Select(f => int.Parse(f[^1])));
        var removed = rows.Where(f => int.Parse(f[^1]) <= 2).Select(f => f[2]).ToHashSet();
        Assert.DoesNotContain(File.ReadAllLines(filtered).Skip(1), line => removed.Contains(line.Split(',')[0]));
    }

    [Fact]
    public void TheModelsPrecisionIsRecordedBf16WhereTheCpuHasIt()
    {
        var output = _dir.File("bf16");
        var (exit, text) = Scan(output, "--precision", "Bf16");
        Assert.True(exit == 0, text);
        // Without native bf16 the command falls back to fp32 with a note (Bf16Support).
        var expected = Bf16Support.Choose(Precision.Bf16, force: false, DeviceType.CPU, Bf16Support.ReadCpuInfo(), out _);
        using var summary = SummaryOf(output);
        Assert.Equal(expected.ToString().ToLowerInvariant(), summary.RootElement.GetProperty("precision").GetString());
        Assert.Equal(Rows + 1, ScoresOf(output).Length);
    }

    [Fact]
    public void ScanWritesScoresAndSummaryFiltersIntoANewTableAndReusesTheEmbeddings()
    {
        var before = Hash(_table);
        var output = _dir.File("scan");
        var filtered = _dir.File("filtered.csv");
        var (exit, text) = Scan(output, "--filter-out", filtered, "--remove-top", "3");
        Assert.True(exit == 0, text);
        Assert.Contains("AUROC", text);
        Assert.Contains("removed 3 row(s)", text);

        var scores = ScoresOf(output);
        Assert.Equal("row,line,image,caption,is_backdoor,kdist,slof,dao,multik,samecaption,rank", scores[0]);
        Assert.Equal(Rows + 1, scores.Length);
        Assert.Equal(Enumerable.Range(1, Rows), scores.Skip(1).Select(l => int.Parse(l.Split(',')[^1])).Order());

        using var summary = SummaryOf(output);
        var root = summary.RootElement;
        Assert.Equal(ScanJob.Format, root.GetProperty("format").GetString());
        Assert.Equal(2, root.GetProperty("reference_batches").GetInt32());
        Assert.Equal("fp32", root.GetProperty("precision").GetString());
        Assert.Equal("multik", root.GetProperty("primary").GetString());
        var multik = root.GetProperty("metrics").GetProperty("multik");
        Assert.Equal(3, multik.GetProperty("poisoned").GetInt32());
        Assert.Equal([5, 18, 31], multik.GetProperty("poisoned_ranks").EnumerateArray().Select(r => r.GetProperty("row").GetInt32()));
        Assert.InRange(multik.GetProperty("auroc").GetDouble(), 0, 1);

        // The filtered table keeps every column and all but the three top-ranked rows; the input is untouched.
        Assert.Equal(before, Hash(_table));
        var kept = File.ReadAllLines(filtered);
        Assert.Equal("image,caption,is_backdoor,extra", kept[0]);
        Assert.Equal(Rows - 3 + 1, kept.Length);
        var removed = scores.Skip(1).Select(l => l.Split(',')).Where(f => int.Parse(f[^1]) <= 3).Select(f => f[2]).ToHashSet();
        Assert.Equal(3, removed.Count);
        Assert.DoesNotContain(kept.Skip(1), line => removed.Contains(line.Split(',')[0]));

        (exit, text) = Scan(_dir.File("again"));
        Assert.True(exit == 0, text);
        Assert.Contains("image embeddings from the cache", text);
        Assert.Equal(scores, ScoresOf(_dir.File("again")));
    }

    [Fact]
    public void ATrustedModelAddsTheCrossModelScoreAsThePrimary()
    {
        var output = _dir.File("crossmodel");
        var (exit, text) = Scan(output, "--trusted-checkpoint", "tiny-rn", "--crossmodel-k", "4");
        Assert.True(exit == 0, text);
        var scores = ScoresOf(output);
        Assert.Equal("row,line,image,caption,is_backdoor,kdist,slof,dao,multik,samecaption,crossmodel,rank", scores[0]);
        using var summary = SummaryOf(output);
        var root = summary.RootElement;
        Assert.Equal("crossmodel", root.GetProperty("primary").GetString());
        Assert.Equal("tiny-rn", root.GetProperty("trusted_checkpoint").GetString());
        Assert.Equal(4, root.GetProperty("crossmodel_k").GetInt32());
        Assert.NotEqual(root.GetProperty("embeddings").GetString(), root.GetProperty("trusted_embeddings").GetString());
        Assert.Equal(3, root.GetProperty("metrics").GetProperty("crossmodel").GetProperty("poisoned").GetInt32());
        // Ranks follow the crossmodel column.
        var rows = scores.Skip(1).Select(l => l.Split(',')).ToList();
        var byScore = rows.OrderByDescending(f => double.Parse(f[^2], System.Globalization.CultureInfo.InvariantCulture)).Select(f => int.Parse(f[^1]));
        Assert.Equal(Enumerable.Range(1, Rows), byScore);

        // With the trusted model's vocabulary it embeds the captions too: mismatch, and the ensemble as the primary.
        var vocab = WriteVocab();
        (exit, text) = Scan(_dir.File("ensemble"), "--trusted-checkpoint", "tiny-rn", "--crossmodel-k", "4", "--trusted-vocab", vocab, "--detector", "kdist");
        Assert.True(exit == 0, text);
        Assert.Equal("row,line,image,caption,is_backdoor,kdist,samecaption,crossmodel,mismatch,trusted,rank", File.ReadLines(Path.Combine(_dir.File("ensemble"), ScanJob.ScoresFile)).First());
        using var ensemble = SummaryOf(_dir.File("ensemble"));
        Assert.Equal("trusted", ensemble.RootElement.GetProperty("primary").GetString());
        Assert.Equal(vocab, ensemble.RootElement.GetProperty("trusted_vocab").GetString());
        Assert.True(File.Exists(ensemble.RootElement.GetProperty("trusted_text_embeddings").GetString()));

        // A "trusted" model that is the scanned model itself agrees with it on every neighbourhood: every score is 1.
        (exit, text) = Scan(_dir.File("itself"), "--trusted-checkpoint", "tiny-vit", "--crossmodel-k", "4", "--detector", "kdist");
        Assert.True(exit == 0, text);
        var same = ScoresOf(_dir.File("itself"));
        Assert.Equal("row,line,image,caption,is_backdoor,kdist,samecaption,crossmodel,rank", same[0]);
        Assert.All(same.Skip(1), l => Assert.InRange(double.Parse(l.Split(',')[^2], System.Globalization.CultureInfo.InvariantCulture), 1 - 1e-5, 1 + 1e-5));
    }

    [Fact]
    public void AnUnreadableImageIsLeftOutOfTheScoresAndListedInTheSummary()
    {
        File.WriteAllText(Path.Combine(_dir.Path, "images", "007.png"), "not a png");
        var output = _dir.File("scan");
        var (exit, text) = Scan(output, "--detector", "kdist");
        Assert.True(exit == 0, text);
        Assert.Contains("skipped 1 image(s)", text);
        Assert.Contains("images/007.png", text);
        var scores = ScoresOf(output).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(Rows - 1, scores.Count);
        // Rows keep their table numbering around the gap: row i is images/i.png on table line i + 2; row 7 is absent.
        Assert.All(scores, f => Assert.Equal($"images/{int.Parse(f[0]):D3}.png", f[2]));
        Assert.All(scores, f => Assert.Equal(int.Parse(f[0]) + 2, int.Parse(f[1])));
        Assert.DoesNotContain(scores, f => f[0] == "7");
        using var summary = SummaryOf(output);
        var skipped = Assert.Single(summary.RootElement.GetProperty("skipped").EnumerateArray());
        Assert.Equal("images/007.png", skipped.GetProperty("name").GetString());

        // With the captions embedded (all 40, in table order), each image's pmi is taken against its own row's caption
        // across the gap: one reference batch of the 39 images, recomputed here from the two cached matrices.
        var (pmiExit, pmiText) = Scan(_dir.File("pmi"), "--detector", "kdist", "--vocab", WriteVocab(), "--reference-batch", "40");
        Assert.True(pmiExit == 0, pmiText);
        using var pmiSummary = SummaryOf(_dir.File("pmi"));
        var root = pmiSummary.RootElement;
        using var imageMatrix = NpyFile.MapFloatMatrix(root.GetProperty("embeddings").GetString()!);
        using var textMatrix = NpyFile.MapFloatMatrix(root.GetProperty("text_embeddings").GetString()!);
        Assert.Equal((Rows - 1, Rows), (imageMatrix.Rows, textMatrix.Rows));
        var pmiRows = ScoresOf(_dir.File("pmi")).Skip(1).Select(l => l.Split(',')).ToList();
        var tableRows = pmiRows.Select(f => int.Parse(f[0])).ToList();
        using var images = new MappedEmbeddingRows(imageMatrix).Gather(Enumerable.Range(0, Rows - 1).ToList());
        using var captions = new MappedEmbeddingRows(textMatrix).Gather(tableRows);
        using var expected = PairAlignment.Pmi(images, captions, root.GetProperty("logit_scale").GetDouble());
        var expectedPmi = expected.data<float>().ToArray();
        // The scan's batch holds the rows in a seeded order, so its float32 sums differ by rounding (about 1e-7 relative).
        for (int i = 0; i < pmiRows.Count; i++)
            Assert.Equal(expectedPmi[i], double.Parse(pmiRows[i][^3], System.Globalization.CultureInfo.InvariantCulture), 1e-4);
    }

    [Theory]
    [InlineData(new[] { "--k", "20" }, "--k 20 must be smaller than --reference-batch 20")]
    [InlineData(new[] { "--detector", "lof" }, "--detector 'lof': expected one of kdist, slof, dao, multik, samecaption, pmi, combined, crossmodel, mismatch, trusted or all")]
    [InlineData(new[] { "--detector", "pmi" }, "the pmi and combined detectors compare each image with its caption in the scanned model: give its vocabulary with --vocab (image or joint side)")]
    [InlineData(new[] { "--detector", "combined", "--side", "Text", "--vocab", "v.txt.gz" }, "the pmi and combined detectors compare each image with its caption in the scanned model")]
    [InlineData(new[] { "--detector", "samecaption", "--side", "Text", "--vocab", "v.txt.gz" }, "the samecaption detector compares the captions of image neighbours: it scores the image or joint side")]
    [InlineData(new[] { "--detector", "crossmodel" }, "the crossmodel and trusted detectors compare with a model that did not learn the trigger: give one with --trusted-checkpoint")]
    [InlineData(new[] { "--trusted-vocab", "v.txt.gz" }, "--trusted-vocab is the vocabulary of the trusted model: give the model with --trusted-checkpoint")]
    [InlineData(new[] { "--detector", "mismatch", "--trusted-checkpoint", "tiny-rn", "--crossmodel-k", "4" }, "the mismatch and trusted detectors embed the captions with the trusted model: give its vocabulary with --trusted-vocab")]
    [InlineData(new[] { "--trusted-checkpoint", "tiny-rn" }, "--crossmodel-k 32: expected at least 1 and fewer than the 20 rows of the smallest reference batch")]
    [InlineData(new[] { "--side", "Text", "--vocab", "v.txt.gz", "--trusted-checkpoint", "tiny-rn" }, "--trusted-checkpoint compares image neighbourhoods, so it needs --side image, not text")]
    [InlineData(new[] { "--remove-top", "3" }, "--remove-top and --threshold need --filter-out FILE")]
    public void BadOptionsGiveOneLineAndExitOne(string[] extra, string message)
    {
        var (exit, text) = Scan(_dir.File("out"), extra);
        Assert.Equal(1, exit);
        Assert.Contains("error: " + message, text);
        Assert.DoesNotContain("   at ", text);
        Assert.False(Directory.Exists(_dir.File("out")));
    }

    [Fact]
    public void AnEmptyTableIsRefused()
    {
        var empty = _dir.File("empty.csv");
        File.WriteAllText(empty, "image,caption\n");
        var (exit, text) = CliRunner.Run(ScanCommand.Create(), "--checkpoint", "tiny-vit", "--train-data", empty, "--out", _dir.File("out"));
        Assert.Equal(1, exit);
        Assert.Contains($"error: {empty}: no rows after the header", text);
    }

    [Fact]
    public void TheFilteredTableNeverReplacesTheInputOrAnExistingFile()
    {
        var before = Hash(_table);
        var (exit, text) = Scan(_dir.File("out"), "--filter-out", _table, "--remove-top", "1");
        Assert.Equal(1, exit);
        Assert.Contains("is the input table", text);
        var existing = _dir.Write("kept.csv", [1, 2, 3]);
        (exit, text) = Scan(_dir.File("out"), "--filter-out", existing, "--threshold", "0.5");
        Assert.Equal(1, exit);
        Assert.Contains("already exists", text);
        Assert.Equal(before, Hash(_table));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(existing));
    }

    [Fact]
    public void AnOutputFolderWithFilesScanDidNotWriteIsRefused()
    {
        var output = _dir.File("theirs");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, ScanJob.ScoresFile), "my own notes\n");
        var (exit, text) = Scan(output);
        Assert.Equal(1, exit);
        Assert.Contains("that cleanclip scan did not write", text);
        Assert.Equal("my own notes\n", File.ReadAllText(Path.Combine(output, ScanJob.ScoresFile)));
    }

    [Fact]
    public void CachedEmbeddingsOfAnotherWidthThanTheModelAreRefused()
    {
        var (exit, text) = Scan(_dir.File("first"));
        Assert.True(exit == 0, text);
        var cached = Assert.Single(Directory.GetFiles(Path.Combine(_cache, "scan-embeddings"), "*.npy"));
        // The cache entry's index still matches; the matrix is replaced by one 8 wide instead of tiny-vit's width.
        using (var narrow = torch.zeros(Rows, 8)) NpyFile.WriteFloatRows(cached, 8, [narrow]);
        (exit, text) = Scan(_dir.File("second"));
        Assert.Equal(1, exit);
        Assert.Contains("cached embeddings are 8 wide but the model tiny-vit embeds into", text);
        Assert.DoesNotContain("   at ", text);
    }

    [Fact]
    public void ShardsOfTheTableScoreLikeItWithSamplesNamedByShardAndMember()
    {
        // The table's 40 pairs as two img2dataset-style shards, 20 samples each.
        var table = ImageCaptionDataset.Load(_table);
        for (int s = 0; s < 2; s++)
            Data.Shards.ShardFiles.Write(_dir.File($"shards/{s:D5}.tar"), table.Rows.Skip(20 * s).Take(20).SelectMany((row, i) =>
                Data.Shards.ShardFiles.Sample($"{20 * s + i:D3}", File.ReadAllBytes(row.ImagePath), row.Caption, "png")));
        var pattern = _dir.File("shards/{00000..00001}.tar");

        var (exit, text) = Scan(_dir.File("from-table"));
        Assert.True(exit == 0, text);
        (exit, text) = ScanOf(pattern, _dir.File("from-shards"));
        Assert.True(exit == 0, text);

        // Scores and ranks (the last five columns) agree row for row; the image column names shard and member.
        string[] Tail(string line) => line.Split(',')[^5..];
        var fromTable = ScoresOf(_dir.File("from-table"));
        var fromShards = ScoresOf(_dir.File("from-shards"));
        Assert.Equal("row,line,image,caption,kdist,slof,dao,multik,samecaption,rank", fromShards[0]);
        Assert.Equal(fromTable.Skip(1).Select(Tail), fromShards.Skip(1).Select(Tail));
        Assert.StartsWith("21,0,00001.tar/021.png,", fromShards[22]);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(_cache, ShardDataset.IndexFolderName)).Length);

        (exit, text) = ScanOf(pattern, _dir.File("filtered"), "--filter-out", _dir.File("kept.csv"), "--remove-top", "3");
        Assert.Equal(1, exit);
        Assert.Contains("names WebDataset shards, not a table", text);
    }
}
