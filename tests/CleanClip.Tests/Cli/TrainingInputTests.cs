using CleanClip.Checkpoints;
using CleanClip.Cli.Commands;
using CleanClip.Tests.Training;
using CleanClip.Training;
using CleanClip.Training.Checkpointing;
using Xunit;

namespace CleanClip.Tests.Cli;

/// <summary>Hostile or careless input to <c>train</c>, <c>clean</c> and <c>finetune-supervised</c>: one line naming the option, nothing written.</summary>
public class TrainingInputTests
{
    [Theory]
    [InlineData("--lr", "Infinity", "--lr must be a finite number above 0, got Infinity")]
    [InlineData("--lr", "-1", "--lr must be a finite number above 0, got -1")]
    [InlineData("--grad-clip", "NaN", "--grad-clip must be a finite number above 0, got NaN")]
    [InlineData("--weight-decay", "NaN", "--weight-decay must be a finite number of at least 0, got NaN")]
    [InlineData("--beta1", "2", "--beta1 must be in [0, 1), got 2")]
    [InlineData("--beta2", "1", "--beta2 must be in [0, 1), got 1")]
    [InlineData("--eps", "-1", "--eps must be a finite number above 0, got -1")]
    [InlineData("--eda-alpha", "1.5", "--eda-alpha must be in [0, 1], got 1.5")]
    [InlineData("--inmodal-weight", "-Infinity", "--inmodal-weight must be a finite number of at least 0, got -Infinity")]
    [InlineData("--stop-after", "0", "--stop-after must be at least 1, got 0")]
    [InlineData("--decode-threads", "-2", "--decode-threads must be at least 0, got -2")]
    public void TrainRefusesAnOutOfRangeNumberNamingTheOptionAndWritesNothing(string option, string value, string expected)
    {
        using var world = new TrainerFixture(pairs: 16, finetune: 16);
        var output = Path.Combine(world.Root, "run");
        var (exit, text) = CliRunner.Run(TrainingCommand.Train(), "--train-data", world.Train.TablePath, "--init", "tiny-vit",
            "--vocab", world.Vocab, "--out", output, "--batch-size", "8", option, value);
        Assert.Equal(1, exit);
        Assert.Contains("error: " + expected, text);
        Assert.DoesNotContain("   at ", text);              // no stack trace
        Assert.False(Directory.Exists(output), $"{output} was created");
    }

    [Theory]
    [InlineData("--weight-decay", "Infinity", "--weight-decay must be a finite number of at least 0, got Infinity")]
    [InlineData("--lr", "NaN", "--lr must be a finite number above 0, got NaN")]
    [InlineData("--stop-after", "0", "--stop-after must be at least 1, got 0")]
    public void CleanAndFinetuneSupervisedRefuseOutOfRangeNumbersToo(string option, string value, string expected)
    {
        using var world = new TrainerFixture(pairs: 16, finetune: 16);
        var init = Path.Combine(world.Root, "init.safetensors");
        using (var model = TrainerFixture.FreshModel()) ModelLoader.Save(model, init);
        var cleaned = Path.Combine(world.Root, "clean");
        var (exit, text) = CliRunner.Run(TrainingCommand.Clean(), "--checkpoint", init, "--train-data", world.Finetune.TablePath,
            "--vocab", world.Vocab, "--out", cleaned, "--batch-size", "8", "--method", "Mmcl", option, value);
        Assert.Equal(1, exit);
        Assert.Contains("error: " + expected, text);
        Assert.False(Directory.Exists(cleaned));

        var supervised = Path.Combine(world.Root, "sufi");
        (exit, text) = CliRunner.Run(SupervisedCommand.Create(), "--checkpoint", init, "--train-data", Path.Combine(world.Root, "world", "test"),
            "--out", supervised, "--batch-size", "8", option, value);
        Assert.Equal(1, exit);
        Assert.Contains("error: " + expected, text);
        Assert.False(Directory.Exists(supervised));
    }

    [Theory]
    [InlineData("--par-tau", "NaN", "--par-tau must be in (0, 4], got NaN")]
    [InlineData("--par-tau", "0", "--par-tau must be in (0, 4], got 0")]
    [InlineData("--par-tau", "4.5", "--par-tau must be in (0, 4], got 4.5")]
    [InlineData("--par-tau", "Infinity", "--par-tau must be in (0, 4], got Infinity")]
    [InlineData("--par-weight", "-1", "--par-weight must be a finite number of at least 0, got -1")]
    [InlineData("--par-weight", "NaN", "--par-weight must be a finite number of at least 0, got NaN")]
    public void CleanWithParRefusesABadTauOrWeightInOneLineNamingTheOption(string option, string value, string expected)
    {
        using var world = new TrainerFixture(pairs: 16, finetune: 16);
        var init = Path.Combine(world.Root, "init.safetensors");
        using (var model = TrainerFixture.FreshModel()) ModelLoader.Save(model, init);
        var cleaned = Path.Combine(world.Root, "clean");
        var (exit, text) = CliRunner.Run(TrainingCommand.Clean(), "--checkpoint", init, "--train-data", world.Finetune.TablePath,
            "--vocab", world.Vocab, "--out", cleaned, "--batch-size", "8", "--method", "par", option, value);
        Assert.Equal(1, exit);
        var errors = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("error")).ToList();
        Assert.Equal(["error: " + expected], errors.Select(l => l.Trim()));
        Assert.DoesNotContain("   at ", text);
        Assert.False(Directory.Exists(cleaned));
    }

    // --method par picks PAR's augmentation unless one is given; other methods keep the command's default.
    [Theory]
    [InlineData("par", null, "par")]
    [InlineData("Par", "none", "none")]
    [InlineData("par", "autoaugment", "autoaugment")]
    [InlineData("cleanclip", null, "autoaugment")]
    [InlineData("mmcl", "par", "par")]
    public void ParUsesItsOwnAugmentationUnlessOneIsGiven(string method, string? augmentation, string expected)
    {
        var defaults = TrainingOptions.Cleaning();
        var cli = new CleanClip.Cli.TrainingCliOptions(defaults);
        var command = new System.CommandLine.Command("clean");
        foreach (var option in cli.All) command.Options.Add(option);
        string[] args = augmentation is null ? ["--method", method] : ["--method", method, "--image-augmentation", augmentation];
        var parse = command.Parse(args);
        Assert.Empty(parse.Errors);
        var options = cli.Read(parse, defaults, "cpu");
        Assert.Equal(expected, options.ImageAugmentation);
        Assert.Equal(augmentation is not null, cli.Given(parse).ContainsKey(nameof(TrainingOptions.ImageAugmentation)));
    }

    // The run stores the vocabulary and the init checkpoint absolute, so a resume from another working directory finds them.
    [Fact]
    public void ARunStoresThePathsItNeedsAbsolute()
    {
        using var world = new TrainerFixture(pairs: 16, finetune: 16);
        var init = Path.Combine(world.Root, "init.safetensors");
        using (var model = TrainerFixture.FreshModel()) ModelLoader.Save(model, init);
        string Relative(string path) => Path.GetRelativePath(Environment.CurrentDirectory, path);
        var run = Path.Combine(world.Root, "run");
        var result = TrainJob.Run(new TrainJobOptions
        {
            TrainData = Relative(world.Train.TablePath), ValidationData = Relative(world.Finetune.TablePath), Init = Relative(init),
            Vocab = Relative(world.Vocab), Out = run,
            Training = new TrainingOptions { Epochs = 1, BatchSize = 8, StopAfterSteps = 1, DecodeThreads = 1, TensorBoard = false },
        });
        var state = TrainingCheckpoint.ReadState(result.Training.LastCheckpoint!)!;
        Assert.Equal(world.Vocab, state.Vocab);
        Assert.Equal(init, state.Init);
        Assert.Equal(world.Train.TablePath, state.TrainData);
        Assert.Equal(world.Finetune.TablePath, state.ValidationData);
        var config = File.ReadAllText(Path.Combine(run, Trainer.ConfigFileName));
        Assert.Contains($"\"vocab\": \"{world.Vocab}\"", config);
    }

    [Fact]
    public void ResumeRefusesAChangedOptionNamingTheRunsValueAndAppliesThreadsWithANote()
    {
        using var world = new TrainerFixture(pairs: 32, finetune: 16);
        var run = Path.Combine(world.Root, "run");
        var (exit, text) = CliRunner.Run(TrainingCommand.Train(), "--train-data", world.Train.TablePath, "--init", "tiny-vit",
            "--vocab", world.Vocab, "--out", run, "--epochs", "1", "--batch-size", "8", "--lr", "1e-3", "--warmup", "1",
            "--stop-after", "1", "--decode-threads", "1", "--no-tensorboard");
        Assert.True(exit == 0, text);
        var checkpoints = Directory.GetFiles(Path.Combine(run, "checkpoints"));

        (exit, text) = CliRunner.Run(TrainingCommand.Train(), "--resume", run, "--lr", "5", "--epochs", "3", "--decode-threads", "1");
        Assert.Equal(1, exit);
        Assert.Contains("--lr 5 (the run has 0.001)", text);
        Assert.Contains("--epochs 3 (the run has 1)", text);
        Assert.Equal(checkpoints, Directory.GetFiles(Path.Combine(run, "checkpoints")));

        // Options given again with the run's own values, and the thread count, which does not change the result.
        (exit, text) = CliRunner.Run(TrainingCommand.Train(), "--resume", run, "--lr", "0.001", "--vocab", world.Vocab, "--decode-threads", "2");
        Assert.True(exit == 0, text);
        Assert.Contains("note: --decode-threads 2 applies to the resumed run (it ran with 1)", text);
        Assert.Contains("completed", text);
    }

    // WordNet is looked for only where the test says (never in the machine's own folders), so these hold with or without wordnet-base.
    [Theory]
    [InlineData(TrainingMethod.CleanClip)]
    [InlineData(TrainingMethod.Ssl)]
    public void InModalTrainingRefusesToRunWithoutWordNetUnlessNoWordNetIsGiven(TrainingMethod method)
    {
        using var world = new TrainerFixture(pairs: 16, finetune: 16);
        var init = Path.Combine(world.Root, "init.safetensors");
        using (var model = TrainerFixture.FreshModel()) ModelLoader.Save(model, init);
        TrainJobOptions Clean(string run, bool noWordNet, string? wordNet = null) => new()
        {
            TrainData = world.Finetune.TablePath, Init = init, Vocab = world.Vocab, Out = Path.Combine(world.Root, run), WordNetPlaces = [],
            Training = TrainingOptions.Cleaning(method) with
            {
                Epochs = 1, BatchSize = 8, DecodeThreads = 1, TensorBoard = false, LogEverySteps = 1, NoWordNet = noWordNet, WordNet = wordNet,
            },
        };

        var refused = Assert.Throws<ArgumentException>(() => TrainJob.Run(Clean("refused", noWordNet: false, wordNet: Path.Combine(world.Root, "nowhere"))));
        Assert.Contains("--no-wordnet", refused.Message);
        Assert.Contains(Path.Combine(world.Root, "nowhere"), refused.Message);
        Assert.False(Directory.Exists(Path.Combine(world.Root, "refused")));

        var without = TrainJob.Run(Clean("without", noWordNet: true));
        Assert.Contains(without.Notes, n => n.StartsWith("--no-wordnet", StringComparison.Ordinal));
        AssertEdaMode(Path.Combine(world.Root, "without"), CleanClip.Training.Augmentation.Eda.WithoutWordNetMode);

        // An (empty) WordNet database folder: EDA has all four operations.
        var wordNetDir = Path.Combine(world.Root, "wordnet");
        Directory.CreateDirectory(wordNetDir);
        foreach (var part in new[] { "noun", "verb", "adj", "adv" })
            foreach (var file in new[] { $"index.{part}", $"data.{part}" }) File.WriteAllText(Path.Combine(wordNetDir, file), "");
        TrainJob.Run(Clean("full", noWordNet: false, wordNet: wordNetDir));
        AssertEdaMode(Path.Combine(world.Root, "full"), CleanClip.Training.Augmentation.Eda.FullMode);
    }

    private static void AssertEdaMode(string run, string mode)
    {
        var config = File.ReadAllText(Path.Combine(run, Trainer.ConfigFileName));
        Assert.Contains($"\"eda_mode\": \"{mode}\"", config);
        var epochs = CleanClip.Training.Logging.MetricsLine.ReadAll(Path.Combine(run, CleanClip.Training.Logging.MetricsLine.FileName)).Where(l => l.Kind == "epoch").ToList();
        Assert.NotEmpty(epochs);
        Assert.All(epochs, l => Assert.Equal(mode, l.EdaMode));
    }
}
