using System.CommandLine;
using System.Globalization;
using CleanClip.Checkpoints;
using CleanClip.Cli.Commands;
using CleanClip.Data;
using CleanClip.Evaluation;
using CleanClip.Poisoning;
using CleanClip.Text;
using CleanClip.Tests.Evaluation;
using Spectre.Console;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Cli;

/// <summary><c>cleanclip eval</c> on two tiny-vit checkpoints with a BadNet trigger: the table shows what eval.json holds.</summary>
[Collection(EvalWorldCollection.Name)]
public class EvalCommandTests(EvalWorld world) : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private static (int Exit, string Output) Run(params string[] args) => CleanClip.Tests.Cli.CliRunner.Run(EvalCommand.Create(), args);

    /// <summary>The standard arguments, with <paramref name="overrides"/> (option, value pairs) replacing or adding.</summary>
    private string[] Args(params string[] overrides)
    {
        var options = new Dictionary<string, string[]>
        {
            ["--checkpoint"] = [world.First, world.Second], ["--labels"] = ["poisoned,cleaned"], ["--eval-data"] = [world.TestFolder],
            ["--vocab"] = [world.Vocab], ["--trigger"] = ["badnet"], ["--patch-size"] = ["8"], ["--target"] = ["banana"],
            ["--seed"] = ["5"], ["--out"] = [dir.File("out")], ["--cache-dir"] = [dir.File("cache")], ["--device"] = ["cpu"],
        };
        for (int i = 0; i < overrides.Length; i += 2) options[overrides[i]] = [overrides[i + 1]];
        return options.SelectMany(kv => kv.Value.Prepend(kv.Key)).ToArray();
    }

    private static string Percent(double fraction) => (100 * fraction).ToString("F1", CultureInfo.InvariantCulture);

    // --precision bf16 reaches the models (eval.json says so; scores move by bf16 rounding only) and keeps a cache of
    // its own: the fp32 run's class embeddings are not reused.
    [Fact]
    public void Bf16EvaluationAgreesWithFp32AndUsesItsOwnCache()
    {
        var (exit, output) = Run(Args("--out", dir.File("fp32")));
        Assert.True(exit == 0, output);
        (exit, output) = Run([.. Args("--out", dir.File("bf16"), "--precision", "bf16"), "--force-bf16"]);
        Assert.True(exit == 0, output);
        var fp32 = EvalResults.Read(dir.File(Path.Combine("fp32", "eval.json")));
        var bf16 = EvalResults.Read(dir.File(Path.Combine("bf16", "eval.json")));
        Assert.Equal(CleanClip.Models.Precision.Fp32, fp32.Precision);
        Assert.Equal(CleanClip.Models.Precision.Bf16, bf16.Precision);
        foreach (var (a, b) in fp32.Checkpoints.Zip(bf16.Checkpoints))
        {
            Assert.InRange(b.CleanAccuracy!["1"], a.CleanAccuracy!["1"] - 0.1, a.CleanAccuracy["1"] + 0.1);
            Assert.InRange(b.AttackSuccessRate!["1"], a.AttackSuccessRate!["1"] - 0.1, a.AttackSuccessRate["1"] + 0.1);
        }
        Assert.Equal(4, Directory.GetFiles(dir.File(Path.Combine("cache", "class-embeddings")), "*.safetensors").Length);
    }

    [Fact]
    public void PrintsTheNumbersOfEvalJson()
    {
        var (exit, output) = Run(Args());
        Assert.True(exit == 0, output);
        var json = dir.File(Path.Combine("out", "eval.json"));
        Assert.Contains("eval.json", output);
        var results = EvalResults.Read(json);
        Assert.Equal("badnet", results.Trigger!.Name);
        Assert.Equal(8, results.Trigger.PatchSize);
        Assert.Equal(5UL, results.Trigger.Seed);
        Assert.Equal(5UL, results.Seed);
        foreach (var c in results.Checkpoints)
        {
            var row = output.Split('\n').Single(line => line.Contains($" {c.Label} "));
            var cells = row.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(s => s.Length > 0).ToArray();
            Assert.Equal(c.Label, cells[0]);
            Assert.Equal("100", cells[1]);
            Assert.Equal(Percent(c.CleanAccuracy!["1"]), cells[2]);
            Assert.Equal(Percent(c.CleanAccuracy["5"]), cells[3]);
            Assert.Equal(Percent(c.AttackSuccessRate!["1"]), cells[4]);
            Assert.Equal(Percent(c.AttackSuccessRate["5"]), cells[5]);
            Assert.Equal(Percent(c.RobustAccuracy!.Value), cells[6]);
            Assert.Equal(c.DefenseEffectivenessRating is { } der ? Percent(der) : "-", cells[7]);
        }
        Assert.NotNull(results.Checkpoints[1].DefenseEffectivenessRating);
    }

    [Fact]
    public void TorchScriptCheckpointsNeedTrustTorchScript()
    {
        var archive = TestPaths.Fixture("golden", "tiny-vit.ts.pt");
        var (exit, output) = Run(Args("--checkpoint", archive, "--labels", "openai-like"));
        Assert.Equal(1, exit);
        Assert.Contains("--trust-torchscript", output);
        Assert.False(File.Exists(dir.File(Path.Combine("out", "eval.json"))));

        (exit, output) = Run([.. Args("--checkpoint", archive, "--labels", "openai-like"), "--trust-torchscript"]);
        Assert.True(exit == 0, output);
        Assert.Equal("openai-like", EvalResults.Read(dir.File(Path.Combine("out", "eval.json"))).Checkpoints.Single().Label);
    }

    [Theory]
    [InlineData("--target", "apple")]
    [InlineData("--metrics", "ca,nonsense")]
    [InlineData("--classes", "missing.json")]
    public void BadInputExitsWithOneAndAMessage(string option, string value)
    {
        var (exit, output) = Run(Args(option, value));
        Assert.Equal(1, exit);
        Assert.Contains("error:", output);
        Assert.False(File.Exists(dir.File(Path.Combine("out", "eval.json"))));
    }

    [Theory]
    [InlineData("ca,linear-probe", "--probe-train-data")]
    [InlineData("retrieval", "--retrieval-data")]
    public void AMetricWithoutItsDataNamesTheOption(string metrics, string option)
    {
        var (exit, output) = Run(Args("--metrics", metrics));
        Assert.Equal(1, exit);
        Assert.Contains("error:", output);
        Assert.Contains(option, output);
        Assert.False(File.Exists(dir.File(Path.Combine("out", "eval.json"))));
    }

    /// <summary>
    /// Linear probe and retrieval of one checkpoint: eval.json holds the numbers, the table prints them, the probe's
    /// triggered eval features are those of images triggered by hand with seed Derive(--seed, row) (as the zero-shot
    /// ASR's), and the retrieval numbers are those of <see cref="Retrieval.Run"/> with the same seed.
    /// </summary>
    [Fact]
    public void LinearProbeAndRetrievalFillJsonAndTable()
    {
        var (exit, output) = Run(Args("--checkpoint", world.First, "--labels", "poisoned", "--metrics", "ca,asr,linear-probe,retrieval",
            "--probe-train-data", world.ProbeTrainFolder, "--retrieval-data", world.Captions));
        Assert.True(exit == 0, output);
        var results = EvalResults.Read(dir.File(Path.Combine("out", "eval.json")));
        var c = Assert.Single(results.Checkpoints);
        Assert.InRange(c.LinearProbeAccuracy!.Value, 0, 1);
        Assert.InRange(c.LinearProbeAttackSuccessRate!.Value, 0, 1);
        foreach (var key in new[] { "image_to_text_r1", "image_to_text_r5", "image_to_text_r10", "text_to_image_r1", "text_to_image_r10", "asr_top10" })
            Assert.InRange(c.Retrieval![key], 0, 1);

        var lines = output.Split('\n');
        Assert.Contains(lines, l => l.Contains("LP CA") && l.Contains("LP ASR") && l.Contains("I→T R@1") && l.Contains("T→I R@1") && l.Contains("ret-ASR@10"));
        var cells = lines.Single(l => l.Contains(" poisoned ")).Split('│', StringSplitOptions.TrimEntries).Where(s => s.Length > 0).ToArray();
        Assert.Equal(Percent(c.CleanAccuracy!["1"]), cells[2]);
        Assert.Equal("-", cells[6]); // RA not asked for
        Assert.Equal(Percent(c.LinearProbeAccuracy.Value), cells[8]);
        Assert.Equal(Percent(c.LinearProbeAttackSuccessRate.Value), cells[9]);
        Assert.Equal(Percent(c.Retrieval!["image_to_text_r1"]), cells[10]);
        Assert.Equal(Percent(c.Retrieval["text_to_image_r1"]), cells[11]);
        Assert.Equal(Percent(c.Retrieval["asr_top10"]), cells[12]);

        // The three cached feature files: probe train (60 images), eval clean and eval triggered (100 each).
        var files = Directory.GetFiles(dir.File(Path.Combine("cache", "probe-features")), "*.safetensors")
            .ToDictionary(f => Safetensors.ReadMetadata(f)["cache_key"]);
        Assert.Equal(3, files.Count);
        LinearProbeFeatures Cached(bool trigger, int count)
        {
            var (key, path) = files.Single(kv => kv.Key.Contains("trigger=none") != trigger && kv.Key.Contains($"count={count}\n"));
            return LinearProbeFeatures.TryLoad(path, key)!;
        }
        using var model = ModelLoader.Load(world.First, device: torch.CPU);
        model.eval();
        var eval = LabeledImageDataset.Load(world.TestFolder);
        var trigger = TriggerFactory.Create(results.Trigger!);
        var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = 32 });
        var byHand = eval.Images.Select((image, i) => trigger.Apply(
            TriggerInput.Prepare(ImageDecoder.Decode(image.ImagePath), 32, ResizeMode.Crop), SplitMix64.Derive(5, (ulong)i))).ToList();
        using var expected = LinearProbeFeatures.Extract(model, [(preprocessor.Preprocess(byHand), eval.Images.Select(im => (long)im.Label).ToArray())]);
        using var triggered = Cached(trigger: true, 100);
        Assert.Equal(100, triggered.Count);
        Assert.True(torch.allclose(expected.Features, triggered.Features, rtol: 1e-4, atol: 1e-4), "triggered eval features differ from hand-triggered images");
        Assert.Equal(expected.Labels.data<long>().ToArray(), triggered.Labels.data<long>().ToArray());

        // The probe's numbers follow from the cached features (the clean ones checked the same way as the triggered).
        using var train = Cached(trigger: false, 60);
        using var clean = Cached(trigger: false, 100);
        using var cleanByHand = LinearProbeFeatures.ExtractFiles(model, eval.Images.Select(im => (im.ImagePath, im.Label)).ToList());
        Assert.True(torch.allclose(cleanByHand.Features, clean.Features, rtol: 1e-4, atol: 1e-4));
        Assert.Equal(60, train.Count);
        var probe = LinearProbe.Run(train, clean, 10, new LinearProbeOptions(), triggered, results.TargetIndex!.Value);
        Assert.Equal(probe.Accuracy, c.LinearProbeAccuracy.Value);
        Assert.Equal(probe.AttackSuccessRate, c.LinearProbeAttackSuccessRate.Value);

        var tokenizer = ClipTokenizer.FromVocabFile(world.Vocab, new TokenizerOptions());
        var retrieval = Retrieval.Run(model, tokenizer.TokenizeToTensor, ImageCaptionDataset.Load(world.Captions), new RetrievalOptions { Seed = 5 }, trigger, "banana");
        Assert.Equal(retrieval.ToDictionary().OrderBy(kv => kv.Key), c.Retrieval.OrderBy(kv => kv.Key));
        Assert.True(retrieval.AsrQueries > 0 && retrieval.TriggeredImages > 0);
    }

    /// <summary>
    /// A second run reads all three probe feature files from the cache (and leaves them untouched); another trigger seed
    /// misses the triggered eval features only: the train and clean features do not depend on the trigger.
    /// </summary>
    [Fact]
    public void ProbeFeaturesComeFromTheCacheOnASecondRun()
    {
        string[] Probe(string seed) => Args("--checkpoint", world.First, "--labels", "poisoned", "--metrics", "linear-probe",
            "--probe-train-data", world.ProbeTrainFolder, "--seed", seed);
        var args = Probe("5");
        var (exit, first) = Run(args);
        Assert.True(exit == 0, first);
        Assert.DoesNotContain("from the cache", first);
        var cacheFolder = dir.File(Path.Combine("cache", "probe-features"));
        var written = Directory.GetFiles(cacheFolder).ToDictionary(f => f, System.IO.File.GetLastWriteTimeUtc);
        Assert.Equal(3, written.Count);
        var json = dir.File(Path.Combine("out", "eval.json"));
        var before = EvalResults.Read(json).Checkpoints[0];

        (exit, var second) = Run(args);
        Assert.True(exit == 0, second);
        Assert.Contains("linear-probe train features from the cache", second);
        Assert.Contains("linear-probe eval features from the cache", second);
        Assert.Equal(written, Directory.GetFiles(cacheFolder).ToDictionary(f => f, System.IO.File.GetLastWriteTimeUtc));
        var after = EvalResults.Read(json).Checkpoints[0];
        Assert.Equal(before.LinearProbeAccuracy, after.LinearProbeAccuracy);
        Assert.Equal(before.LinearProbeAttackSuccessRate, after.LinearProbeAttackSuccessRate);
        Assert.Null(after.CleanAccuracy);

        (exit, var otherSeed) = Run(Probe("6"));
        Assert.True(exit == 0, otherSeed);
        Assert.Contains("linear-probe train features from the cache", otherSeed);
        Assert.DoesNotContain("eval features from the cache", otherSeed);
        Assert.Equal(4, Directory.GetFiles(cacheFolder).Length); // only the triggered eval features depend on the seed
    }
}
