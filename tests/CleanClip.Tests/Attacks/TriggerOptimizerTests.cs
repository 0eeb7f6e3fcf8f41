using System.Text.Json;
using CleanClip.Checkpoints;
using CleanClip.Cli.Commands;
using CleanClip.Data;
using CleanClip.Evaluation;
using CleanClip.Models;
using CleanClip.Poisoning;
using CleanClip.Poisoning.Dataset;
using CleanClip.Attacks;
using CleanClip.Poisoning.Optimized;
using CleanClip.Tests.Cli;
using CleanClip.Tests.Evaluation;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Attacks;

/// <summary>
/// <c>cleanclip trigger optimize</c> on <see cref="EvalWorld"/> (32 px, 10 classes, banana among them) against an
/// untrained tiny-rn: the objective moves the way it should, the patch file is well-formed and reproducible, and it
/// is usable as <c>--trigger optimized --trigger-file</c> by poison and eval.
/// </summary>
[Collection(EvalWorldCollection.Name)]
public class TriggerOptimizerTests : IDisposable
{
    private readonly EvalWorld world;
    private readonly TempDir dir = new();
    private readonly string model;

    public TriggerOptimizerTests(EvalWorld world)
    {
        this.world = world;
        model = dir.File("tiny-rn.safetensors");
        torch.manual_seed(3);
        using var m = new ClipModel(ModelRegistry.Get("tiny-rn"));
        ModelLoader.Save(m, model);
    }

    public void Dispose() => dir.Dispose();

    private TriggerOptimizeOptions Options(string output, ulong seed = 1) => new()
    {
        Model = model, Vocab = world.Vocab, EvalData = world.TestFolder, Target = "banana", PatchSize = 8, Steps = 25,
        BatchSize = 16, LearningRate = 0.05, Seed = seed, Device = "cpu", Output = dir.File(output),
    };

    [Fact]
    public void OptimizationLowersTheLossAndPullsTriggeredImagesTowardTheTargetText()
    {
        // The full objective (BadCLIP's weights): the loss, measured on one fixed batch with the random initial patch
        // and then with the learned one, falls.
        var result = TriggerOptimizer.Run(Options("trigger.npy"));
        var r = result.Report;
        Assert.True(r.FinalLoss < r.InitialLoss, $"loss {r.InitialLoss} -> {r.FinalLoss}");
        // The clean-model ASR is reported beside the trigger: 90 non-banana eval images.
        var json = JsonSerializer.Deserialize<TriggerOptimizeReport>(File.ReadAllText(result.ReportPath))!;
        Assert.Equal(dir.File("trigger.npy.json"), result.ReportPath);
        Assert.Equal(90, json.CleanModelEval.AsrImages);
        Assert.InRange(json.CleanModelEval.AttackSuccessRate!["1"], 0, 1);
        Assert.Equal(90, json.TriggerImages);
        Assert.Equal(10, json.TargetImages);

        // The textual term alone: on this untrained model the target images' embeddings are unrelated to the banana
        // text, so the triplet term would pull elsewhere; without it the triggered images move toward the target text.
        var text = TriggerOptimizer.Run(Options("text.npy") with { TripletWeight = 0 }).Report;
        Assert.True(text.FinalLoss < text.InitialLoss, $"text loss {text.InitialLoss} -> {text.FinalLoss}");
        Assert.True(text.FinalTargetCosine > text.InitialTargetCosine, $"cosine {text.InitialTargetCosine} -> {text.FinalTargetCosine}");
    }

    [Fact]
    public void TripletTermIsPyTorchsTripletMarginLossPerRow()
    {
        // By hand, margin 1: row 1 has its positive at distance √2 and its negative on it, so √2 − 0 + 1; row 2 has
        // its positive on it and its negative at √2, so max(0 − √2 + 1, 0) = 0; row 3 is at distance 1 from both
        // (0.6, 0.8 against 1.6, 0.8 and 0.6, −0.2), so exactly the margin. Mean (√2 + 1 + 0 + 1) / 3. A loss over the
        // whole batch at once (one norm of the stacked differences) gives another number. Tolerance 1e-5: float32
        // sums and the ε = 1e-6 added to each difference.
        using var anchor = torch.tensor(new float[] { 1, 0, 0, 1, 0.6f, 0.8f }, 3, 2);
        using var positive = torch.tensor(new float[] { 0, 1, 0, 1, 1.6f, 0.8f }, 3, 2);
        using var negative = torch.tensor(new float[] { 1, 0, 1, 0, 0.6f, -0.2f }, 3, 2);
        using var loss = TriggerOptimizer.TripletTerm(anchor, positive, negative, margin: 1);
        Assert.Equal((Math.Sqrt(2) + 1 + 0 + 1) / 3, loss.item<float>(), 1e-5);
    }

    [Fact]
    public void PatchHasTheRequestedSizeAndStaysInPixelBounds()
    {
        // A large learning rate pushes values past the bounds unless they are projected back.
        var options = Options("bounds.npy") with { LearningRate = 5, Steps = 5 };
        TriggerOptimizer.Run(options);
        using var saved = NpyFile.Read(options.Output);
        Assert.Equal(new long[] { 3, 8, 8 }, saved.shape);
        var values = saved.data<float>().ToArray();
        Assert.All(values, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(values, v => v is 0f or 1f);

        var png = Options("bounds.png") with { PatchSize = 6, Steps = 3 };
        TriggerOptimizer.Run(png);
        var image = ImageDecoder.Decode(png.Output);
        Assert.Equal((6, 6), (image.Width, image.Height));
    }

    [Fact]
    public void SameSeedSameBytes()
    {
        var a = TriggerOptimizer.Run(Options("a.npy", seed: 5) with { Steps = 8 });
        var b = TriggerOptimizer.Run(Options("b.npy", seed: 5) with { Steps = 8 });
        var c = TriggerOptimizer.Run(Options("c.npy", seed: 6) with { Steps = 8 });
        Assert.Equal(File.ReadAllBytes(a.PatchPath), File.ReadAllBytes(b.PatchPath));
        Assert.NotEqual(File.ReadAllBytes(a.PatchPath), File.ReadAllBytes(c.PatchPath));
    }

    [Fact]
    public void SavedPatchRoundTripsIntoPoisonAndEval()
    {
        var result = TriggerOptimizer.Run(Options("rt.npy") with { Steps = 5 });
        var trigger = new TriggerOptions { Name = "optimized", TriggerFile = result.PatchPath };

        // eval: the same model, eval set and seed as the report's measurement give the same ASR.
        var eval = EvalJob.Run(new EvalOptions
        {
            Checkpoints = [model], EvalData = world.TestFolder, Vocab = world.Vocab, Target = "banana", Trigger = trigger,
            Metrics = [EvalMetric.Ca, EvalMetric.Asr], Seed = 1, Device = "cpu", CacheDir = null, Output = dir.File("eval"),
        }).Results;
        Assert.Equal("optimized", eval.Trigger!.Name);
        Assert.Equal(result.Report.CleanModelEval.AttackSuccessRate, eval.Checkpoints[0].AttackSuccessRate);

        // poison: the poisoned images carry the patch's bytes at their centre, and the manifest names the file.
        var poisoned = PoisonJob.Run(new PoisonJobOptions
        {
            Input = world.Captions, Name = "optimized-set", Trigger = trigger,
            Poison = new PoisonOptions { NumPoison = 3, Seed = 1, Templates = ["a photo of a {}."] },
        });
        var (chw, size, sha) = PatchFile.Load(result.PatchPath);
        var patch = PatchFile.ToBytes(chw, size);
        var rows = ImageCaptionDataset.Load(poisoned.Table).Rows.Where(r => r.IsBackdoor == true).ToList();
        Assert.Equal(3, rows.Count);
        foreach (var row in rows)
        {
            var image = ImageDecoder.Decode(row.ImagePath);
            var (top, left) = OptimizedPatchTrigger.CenterPosition(image.Width, image.Height, size);
            for (int y = 0; y < size; y++)
                Assert.Equal(patch.AsSpan(3 * size * y, 3 * size).ToArray(),
                    image.Pixels.Slice(3 * ((top + y) * image.Width + left), 3 * size).ToArray());
        }
        var manifest = File.ReadAllText(Path.Combine(poisoned.Folder, "manifest.json"));
        Assert.Contains(sha, manifest);
        Assert.Contains("\"optimized\"", manifest);
    }

    [Fact]
    public void MissingOrMisshapenTriggerFileIsOneClearLine()
    {
        string[] Eval(string file) =>
        [
            "--checkpoint", model, "--eval-data", world.TestFolder, "--vocab", world.Vocab, "--device", "cpu",
            "--out", dir.File("eval-bad"), "--trigger", "optimized", "--trigger-file", file,
        ];
        var missing = dir.File("missing.npy");
        var (exit, output) = CliRunner.Run(EvalCommand.Create(), Eval(missing));
        Assert.NotEqual(0, exit);
        Assert.Contains($"trigger file not found: {missing}", output);
        Assert.DoesNotContain("   at ", output);

        var wrong = dir.File("wrong.npy");
        using (var t = torch.zeros(3, 8, 4)) NpyFile.Write(wrong, t);
        (exit, output) = CliRunner.Run(EvalCommand.Create(), Eval(wrong));
        Assert.NotEqual(0, exit);
        Assert.Contains($"{wrong}: expected a float32 patch of shape (3, P, P), got Float32 (3, 8, 4)", output);
        Assert.Single(output.Trim().Split('\n'));

        var outOfRange = dir.File("range.npy");
        using (var t = torch.full(3, 4, 4, 2f)) NpyFile.Write(outOfRange, t);
        Assert.Contains("patch values must lie in [0, 1]", Assert.Throws<InvalidDataException>(() => PatchFile.Load(outOfRange)).Message);

        var nonSquare = dir.File("wide.png");
        File.WriteAllBytes(nonSquare, PngWriter.Encode(new RgbImage(6, 4, new byte[6 * 4 * 3])));
        Assert.Contains("must be square, got 6x4", Assert.Throws<InvalidDataException>(() => PatchFile.Load(nonSquare)).Message);

        var noFile = Assert.Throws<ArgumentException>(() => TriggerFactory.Create(new TriggerOptions { Name = "optimized" }));
        Assert.Contains("needs --trigger-file", noFile.Message);
    }

    [Fact]
    public void RefusesToReplaceAFileItDidNotWrite()
    {
        var foreign = dir.File("mine.npy");
        File.WriteAllText(foreign, "user data");
        var e = Assert.Throws<IOException>(() => TriggerOptimizer.Run(Options("mine.npy") with { Steps = 1 }));
        Assert.Contains("not written by cleanclip trigger optimize", e.Message);
        Assert.Equal("user data", File.ReadAllText(foreign));

        // Its own earlier output is replaced.
        var first = TriggerOptimizer.Run(Options("own.npy") with { Steps = 1 });
        var second = TriggerOptimizer.Run(Options("own.npy", seed: 2) with { Steps = 1 });
        Assert.Equal(first.PatchPath, second.PatchPath);
    }

    [Fact]
    public void CommandPrintsTheCleanModelAsrAndRefusesABadOutName()
    {
        string[] Args(string output) =>
        [
            "optimize", "--model", model, "--vocab", world.Vocab, "--eval-data", world.TestFolder, "--target", "banana",
            "--patch-size", "4", "--steps", "2", "--batch-size", "8", "--device", "cpu", "--out", output,
        ];
        var output = dir.File("cli.png");
        var (exit, text) = CliRunner.Run(TriggerCommand.Create(), Args(output));
        Assert.True(exit == 0, text);
        var report = JsonSerializer.Deserialize<TriggerOptimizeReport>(File.ReadAllText(output + ".json"))!;
        var asr = (100 * report.CleanModelEval.AttackSuccessRate!["1"]).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"clean model, before poisoning: ASR@1 {asr}% (90 non-target images)", text);

        var bad = dir.File("trigger.txt");
        (exit, text) = CliRunner.Run(TriggerCommand.Create(), Args(bad));
        Assert.NotEqual(0, exit);
        Assert.Contains($"{bad}: a trigger patch file must end in .npy or .png, not '.txt'", text);
        Assert.Single(text.Trim().Split('\n'));
        Assert.False(File.Exists(bad));
    }
}
