using System.Text.Json;
using CleanClip.Checkpoints;
using CleanClip.Cli.Commands;
using CleanClip.Data;
using CleanClip.Tests.Training;
using CleanClip.Training;
using CleanClip.Training.Checkpointing;
using CleanClip.Training.Logging;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Cli;

[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class TrainingCommandTests
{
    [Fact]
    public void TrainThenCleanRunEndToEnd()
    {
        using var world = new TrainerFixture(pairs: 64, finetune: 32);
        var trained = Path.Combine(world.Root, "trained");
        var (exit, output) = CliRunner.Run(TrainingCommand.Train(), "--train-data", world.Train.TablePath, "--init", "tiny-vit",
            "--vocab", world.Vocab, "--out", trained, "--epochs", "1", "--batch-size", "16", "--lr", "1e-3", "--warmup", "2",
            "--decode-threads", "1");
        Assert.True(exit == 0, output);
        Assert.Contains("completed", output);
        var model = Path.Combine(trained, Trainer.ModelFileName);
        Assert.True(File.Exists(model));

        var cleaned = Path.Combine(world.Root, "cleaned");
        (exit, output) = CliRunner.Run(TrainingCommand.Clean(), "--checkpoint", model, "--train-data", world.Finetune.TablePath,
            "--vocab", world.Vocab, "--out", cleaned, "--epochs", "2", "--batch-size", "8", "--decode-threads", "1",
            "--validation-data", world.Finetune.TablePath, "--log-every", "1", "--image-augmentation", "autoaugment", "--no-wordnet");
        Assert.True(exit == 0, output);
        var lines = MetricsLine.ReadAll(Path.Combine(cleaned, MetricsLine.FileName));
        Assert.Equal(8, lines.Count(l => l.Kind == "step"));
        Assert.All(lines.Where(l => l.Kind == "step"), l => Assert.NotNull(l.InModalLoss));
        Assert.Equal(2, lines.Count(l => l.Kind == "epoch" && l.ValidationLoss is not null));
        var state = TrainingCheckpoint.ReadState(Path.Combine(cleaned, "checkpoints", "step-00000008.safetensors"))!;
        Assert.Equal(TrainingMethod.CleanClip, state.Options.Method);
        Assert.Equal(1e-5, state.Options.LearningRate); // the paper's cleaning default
        Assert.True(File.Exists(Path.Combine(cleaned, "checkpoints", CheckpointFolder.BestName)));
        using var loaded = ModelLoader.Load(Path.Combine(cleaned, Trainer.ModelFileName));
        Assert.Equal("tiny-vit", loaded.Config.Name);
    }

    // --precision bf16: the run records it (so --resume keeps it), weights and AdamW moments on disk stay fp32, and the
    // first loss agrees with an fp32 run of the same seed to bf16 accuracy while the trained weights differ (bf16 ran).
    [Fact]
    public void CleanInBf16KeepsFp32WeightsAndMomentsAndRecordsThePrecision()
    {
        using var world = new TrainerFixture(pairs: 32, finetune: 32);
        var init = Path.Combine(world.Root, "init.safetensors");
        using (var model = TrainerFixture.FreshModel()) ModelLoader.Save(model, init);
        string Clean(string precision)
        {
            var output = Path.Combine(world.Root, precision);
            var (exit, text) = CliRunner.Run(TrainingCommand.Clean(), "--checkpoint", init, "--train-data", world.Finetune.TablePath,
                "--vocab", world.Vocab, "--out", output, "--epochs", "1", "--batch-size", "8", "--decode-threads", "1", "--log-every", "1",
                "--lr", "1e-3", "--no-wordnet", "--precision", precision, "--force-bf16");
            Assert.True(exit == 0, text);
            return output;
        }
        string fp32 = Clean("fp32"), bf16 = Clean("bf16");

        var checkpoint = Path.Combine(bf16, "checkpoints", "step-00000004.safetensors");
        Assert.Equal(CleanClip.Models.Precision.Bf16, TrainingCheckpoint.ReadState(checkpoint)!.Options.Precision);
        Assert.Equal(CleanClip.Models.Precision.Fp32, TrainingCheckpoint.ReadState(Path.Combine(fp32, "checkpoints", "step-00000004.safetensors"))!.Options.Precision);
        var weights = CheckpointReader.Read(checkpoint, new CheckpointReadOptions { ToFloat32 = false }).StateDict;
        var moments = TrainingCheckpoint.ReadOptimizer(checkpoint);
        Assert.Contains(moments.Keys, k => k.EndsWith(".exp_avg", StringComparison.Ordinal));
        Assert.All(weights.Concat(moments).Where(t => t.Value.is_floating_point()), t => Assert.Equal(TorchSharp.torch.ScalarType.Float32, t.Value.dtype));

        double FirstLoss(string run) => MetricsLine.ReadAll(Path.Combine(run, MetricsLine.FileName)).First(l => l.Kind == "step").Loss!.Value;
        Assert.InRange(FirstLoss(bf16) / FirstLoss(fp32), 0.99, 1.01);
        using var a = ModelLoader.Load(Path.Combine(fp32, Trainer.ModelFileName));
        using var b = ModelLoader.Load(Path.Combine(bf16, Trainer.ModelFileName));
        var difference = a.parameters().Zip(b.parameters()).Max(p => (p.First - p.Second).abs().max().item<float>());
        Assert.True(difference > 0, "bf16 training gave the fp32 weights bit for bit: bf16 did not run");
    }

    // clean --method par: the run records PAR and its settings, every step's loss is the formula's (docs/par.md), the
    // cleaned model's embeddings end up away from the initial model's, and a stopped run resumes to the same bytes
    // only while its initial checkpoint (the frozen model) is unchanged.
    [Fact]
    public void CleanWithParPushesAwayFromTheInitialModelAndResumes()
    {
        using var world = new TrainerFixture(pairs: 16, finetune: 32);
        var init = Path.Combine(world.Root, "init.safetensors");
        using (var model = TrainerFixture.FreshModel()) ModelLoader.Save(model, init);
        string[] Clean(string output, params string[] extra) =>
        [
            "--checkpoint", init, "--train-data", world.Finetune.TablePath, "--vocab", world.Vocab, "--out", output, "--method", "par",
            "--epochs", "1", "--batch-size", "8", "--lr", "1e-3", "--decode-threads", "1", "--log-every", "1", "--no-wordnet", .. extra,
        ];
        var whole = Path.Combine(world.Root, "whole");
        var (exit, output) = CliRunner.Run(TrainingCommand.Clean(), Clean(whole));
        Assert.True(exit == 0, output);
        Assert.Contains("completed", output);

        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(whole, Trainer.ConfigFileName))))
        {
            var run = config.RootElement.GetProperty("run");
            var options = run.GetProperty("options");
            Assert.Equal("par", options.GetProperty("method").GetString());
            Assert.Equal(2.15, options.GetProperty("par_tau").GetDouble());
            Assert.Equal(1.0, options.GetProperty("par_weight").GetDouble());
            Assert.Equal("par", options.GetProperty("image_augmentation").GetString());   // PAR's own, none being given
            Assert.Equal(init, run.GetProperty("init").GetString());
            Assert.Matches("^[0-9a-f]{64}$", run.GetProperty("reference_fingerprint").GetString());
        }

        var steps = MetricsLine.ReadAll(Path.Combine(whole, MetricsLine.FileName)).Where(l => l.Kind == "step").ToList();
        Assert.Equal(4, steps.Count);
        static double Kept(double distance) => distance <= 2.15 ? distance : 0;
        foreach (var step in steps)
        {
            // perturbation = ½(d_image·[d_image ≤ τ] + d_text·[d_text ≤ τ]); loss = 1·clip − 1·perturbation. The logged
            // numbers are float32 values printed as doubles: 1e-6 covers their rounding.
            Assert.Equal(0.5 * (Kept(step.ImageDistance!.Value) + Kept(step.TextDistance!.Value)), step.PerturbationLoss!.Value, 1e-6);
            Assert.Equal(step.ClipLoss!.Value - step.PerturbationLoss.Value, step.Loss!.Value, 1e-6);
            Assert.Null(step.InModalLoss);
        }
        // The first step compares the initial weights with themselves; after it the model has moved away.
        Assert.Equal(0, steps[0].PerturbationLoss!.Value, 1e-9);
        Assert.All(steps.Skip(1), l => Assert.True(l.ImageDistance > 0 && l.TextDistance > 0, $"step {l.Step}: no distance"));

        // The cleaned model's embeddings of the training pairs (plain images) against the initial model's.
        using (var scope = torch.NewDisposeScope())
        using (var initial = ModelLoader.Load(init))
        using (var cleaned = ModelLoader.Load(Path.Combine(whole, Trainer.ModelFileName)))
        {
            initial.eval();
            cleaned.eval();
            var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = initial.Config.ImageResolution });
            var pixels = preprocessor.Preprocess(world.Finetune.Rows.Select(r => ImageDecoder.Decode(r.ImagePath)).ToList());
            var tokens = world.Tokenizer.TokenizeToTensor(world.Finetune.Rows.Select(r => r.Caption).ToList());
            using var noGrad = torch.no_grad();
            var (image0, text0) = initial.forward(pixels, tokens);
            var (image1, text1) = cleaned.forward(pixels, tokens);
            double imageDistance = CleanClip.Training.Losses.ParLoss.Distance(image1, image0).item<float>();
            double textDistance = CleanClip.Training.Losses.ParLoss.Distance(text1, text0).item<float>();
            Assert.True(imageDistance > 1e-4 && textDistance > 1e-4, $"mean squared distances to the initial model: image {imageDistance}, text {textDistance}");
        }

        // Stopped after 2 steps; the initial checkpoint then changes: the resume is refused, naming it.
        var stopped = Path.Combine(world.Root, "stopped");
        (exit, output) = CliRunner.Run(TrainingCommand.Clean(), Clean(stopped, "--stop-after", "2"));
        Assert.True(exit == 0, output);
        var original = File.ReadAllBytes(init);
        using (var other = TrainerFixture.FreshModel(seed: 8)) ModelLoader.Save(other, init);
        (exit, output) = CliRunner.Run(TrainingCommand.Clean(), "--checkpoint", init, "--resume", stopped, "--decode-threads", "1");
        Assert.Equal(1, exit);
        Assert.Contains("holds other weights", output);
        // Restored, the run resumes and ends on the uninterrupted run's bytes.
        File.WriteAllBytes(init, original);
        (exit, output) = CliRunner.Run(TrainingCommand.Clean(), "--checkpoint", init, "--resume", stopped, "--decode-threads", "1");
        Assert.True(exit == 0, output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, Trainer.ModelFileName)), File.ReadAllBytes(Path.Combine(stopped, Trainer.ModelFileName)));
    }

    // clean has no model to fall back on: without --checkpoint (and without --resume) it refuses before writing anything.
    [Fact]
    public void CleanWithoutACheckpointIsOneErrorLine()
    {
        using var dir = new TempDir();
        var output = dir.File("c");
        var (exit, text) = CliRunner.Run(TrainingCommand.Clean(), "--train-data", dir.File("pairs.csv"), "--out", output);
        Assert.Equal(1, exit);
        Assert.Contains("--checkpoint: give the checkpoint to clean", text);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void RestoreOptimizerNeedsACheckpointWithMoments()
    {
        using var world = new TrainerFixture(pairs: 32, finetune: 16);
        var plain = Path.Combine(world.Root, "plain.safetensors");
        using (var model = TrainerFixture.FreshModel()) ModelLoader.Save(model, plain);
        var (exit, output) = CliRunner.Run(TrainingCommand.Clean(), "--checkpoint", plain, "--train-data", world.Finetune.TablePath,
            "--vocab", world.Vocab, "--out", Path.Combine(world.Root, "c"), "--batch-size", "8", "--restore-optimizer", "--no-wordnet");
        Assert.Equal(1, exit);
        Assert.Contains("no optimizer state", output);
    }

    // The reference preset restores what the initial model holds, as the reference does: from a model name or a checkpoint
    // without moments AdamW starts fresh with a note; --restore-optimizer given explicitly still insists on state.
    [Fact]
    public void ThePresetsOptimizerRestoreStartsFreshWhenTheInitHoldsNoState()
    {
        using var world = new TrainerFixture(pairs: 32, finetune: 16);
        var plain = Path.Combine(world.Root, "plain.safetensors");
        using (var model = TrainerFixture.FreshModel()) ModelLoader.Save(model, plain);
        string[] common = ["--train-data", world.Finetune.TablePath, "--vocab", world.Vocab, "--batch-size", "8", "--method", "Mmcl",
            "--stop-after", "1", "--decode-threads", "1", "--no-tensorboard", "--preset", "reference"];

        var cleaned = Path.Combine(world.Root, "clean");
        var (exit, output) = CliRunner.Run(TrainingCommand.Clean(), [.. common, "--checkpoint", plain, "--out", cleaned]);
        Assert.True(exit == 0, output);
        Assert.Contains("holds no optimizer state, so AdamW starts fresh", output);
        var state = TrainingCheckpoint.ReadState(Directory.GetFiles(Path.Combine(cleaned, "checkpoints")).Single())!;
        Assert.Equal(CleanClip.Preset.Reference, state.Options.Preset);
        Assert.True(state.Options.RestoreOptimizer);
        Assert.Contains("\"preset\": \"reference\"", File.ReadAllText(Path.Combine(cleaned, Trainer.ConfigFileName)));

        (exit, output) = CliRunner.Run(TrainingCommand.Train(), [.. common, "--init", "tiny-vit", "--out", Path.Combine(world.Root, "train")]);
        Assert.True(exit == 0, output);
        Assert.Contains("'tiny-vit' is no checkpoint file, so AdamW starts fresh", output);

        (exit, output) = CliRunner.Run(TrainingCommand.Clean(), [.. common, "--checkpoint", plain, "--out", Path.Combine(world.Root, "insist"), "--restore-optimizer"]);
        Assert.Equal(1, exit);
        Assert.Contains("no optimizer state", output);
    }
}
