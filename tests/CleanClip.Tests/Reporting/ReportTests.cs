using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using CleanClip.Checkpoints;
using CleanClip.Cli.Commands;
using CleanClip.Data;
using CleanClip.Data.Synthetic;
using CleanClip.Evaluation;
using CleanClip.Reporting;
using CleanClip.Poisoning;
using CleanClip.Text;
using CleanClip.Training.Logging;
using Spectre.Console;
using Xunit;

namespace CleanClip.Tests.Reporting;

public class ReportTests
{
    /// <summary>A poisoned run (eval.json naming a real tiny-rn checkpoint, synthetic eval set and vocab, plus metrics.jsonl) and a training-only run.</summary>
    private static (string Poisoned, string TrainingOnly) MakeRuns(TempDir dir)
    {
        var world = SyntheticWorld.Generate(new SyntheticWorldOptions { Count = 30, FinetuneCount = 4, TestCount = 12, ImageSize = 32, Seed = 2 }, dir.File("w"));
        var vocab = dir.File("vocab.txt.gz");
        var classesPath = Path.Combine(world.Folder, "test", "classes.json");
        var classes = ClassesFile.Read(classesPath);
        var captions = ImageCaptionDataset.Load(Path.Combine(world.Folder, "train", "train.csv")).Rows.Select(r => r.Caption)
            .Concat(Enumerable.Range(0, classes.Classes.Count).SelectMany(classes.Prompts));
        BpeTrainer.TrainToFile(captions, vocab, numMerges: 200, minFrequency: 1);

        var poisoned = Directory.CreateDirectory(dir.File("poisoned-run")).FullName;
        var checkpoint = Path.Combine(poisoned, "epoch_2.safetensors");
        using (var model = ModelLoader.Load("tiny-rn", seed: 4)) ModelLoader.Save(model, checkpoint);
        new EvalResults
        {
            EvalData = Path.Combine(world.Folder, "test"), Classes = classesPath, Vocab = vocab,
            Trigger = new TriggerOptions { Name = "badnet", PatchSize = 4 }, Target = "banana", TargetIndex = classes.IndexOf("banana"), Seed = 3,
            Checkpoints =
            [
                new CheckpointEval { Checkpoint = checkpoint, Label = "poisoned", Images = 12, AsrImages = 10,
                    CleanAccuracy = new Dictionary<string, double> { ["1"] = 0.8, ["5"] = 0.95 },
                    AttackSuccessRate = new Dictionary<string, double> { ["1"] = 0.9, ["5"] = 1.0 }, RobustAccuracy = 0.05 },
                new CheckpointEval { Checkpoint = "epoch_2.safetensors", Label = "cleaned", Images = 12, AsrImages = 10,
                    CleanAccuracy = new Dictionary<string, double> { ["1"] = 0.75 },
                    AttackSuccessRate = new Dictionary<string, double> { ["1"] = 0.1 }, DefenseEffectivenessRating = 0.875,
                    Retrieval = new Dictionary<string, double> { ["image_to_text_r1"] = 0.4, ["asr_top10"] = 0.2 } },
            ],
        }.Write(Path.Combine(poisoned, EvalResults.FileName));
        WriteMetrics(Path.Combine(poisoned, MetricsLine.FileName));

        var training = Directory.CreateDirectory(dir.File("training-run")).FullName;
        WriteMetrics(Path.Combine(training, MetricsLine.FileName));
        return (poisoned, training);
    }

    private static void WriteMetrics(string path)
    {
        var lines = new List<MetricsLine>();
        for (int step = 0; step < 40; step++)
            lines.Add(new MetricsLine { Kind = "step", Epoch = step / 10, Step = step, Loss = 4 * Math.Exp(-step / 15.0) + 0.3, ClipLoss = 3 * Math.Exp(-step / 15.0),
                InModalLoss = Math.Exp(-step / 10.0) + 0.3, LearningRate = 1e-4 * 0.5 * (1 + Math.Cos(Math.PI * step / 40)) });
        for (int epoch = 1; epoch <= 4; epoch++)
            lines.Add(new MetricsLine { Kind = "eval", Epoch = epoch, Step = 10 * epoch, ValidationLoss = 3.5 - 0.5 * epoch,
                CleanAccuracy = 0.2 * epoch, AttackSuccessRate = 1 - 0.2 * epoch });
        File.WriteAllLines(path, lines.Select(l => l.ToJson()));
    }

    /// <summary>Every PNG the report references exists, decodes, and is more than a blank canvas.</summary>
    private static List<string> CheckFigures(string output)
    {
        var markdown = File.ReadAllText(Path.Combine(output, "report.md"));
        var referenced = Regex.Matches(markdown, @"!\[[^\]]*\]\(([^)]+\.png)\)").Select(m => m.Groups[1].Value).ToList();
        var onDisk = Directory.GetFiles(output, "*.png").Select(Path.GetFileName).ToList();
        Assert.Equal(onDisk.Order(), referenced.Order());
        foreach (var file in referenced)
        {
            var path = Path.Combine(output, file);
            Assert.True(new FileInfo(path).Length > 2048, $"{file} is only {new FileInfo(path).Length} bytes");
            var image = ImageDecoder.Decode(path);
            var colours = new HashSet<int>();
            var px = image.Pixels;
            for (int i = 0; i < px.Length; i += 3) colours.Add(px[i] << 16 | px[i + 1] << 8 | px[i + 2]);
            Assert.True(colours.Count > 8, $"{file} has only {colours.Count} colours");
        }
        return referenced;
    }

    [Fact]
    public void ReportHasEveryFigureAndNotesWhatIsMissing()
    {
        using var dir = new TempDir();
        var (poisoned, training) = MakeRuns(dir);
        var output = dir.File("report");
        var result = ReportJob.Run(new ReportOptions { Runs = [poisoned, training], Output = output, Examples = 3 });

        var figures = CheckFigures(output);
        Assert.Contains("ca-asr.png", figures);
        Assert.Contains("ca-vs-asr.png", figures);
        foreach (var run in new[] { "poisoned-run", "training-run" })
            foreach (var kind in new[] { "loss", "lr", "validation", "zeroshot" })
                Assert.Contains($"{run}-{kind}.png", figures);
        Assert.Contains("poisoned-run-poisoned-examples.png", figures);
        Assert.Contains("poisoned-run-cleaned-examples.png", figures);
        Assert.Equal(12, figures.Count);

        // 3 rows: header band (2·6 + 20) + 3 · (max(96, 80) + 6) = 338 pixels high.
        var grid = ImageDecoder.Decode(Path.Combine(output, "poisoned-run-poisoned-examples.png"));
        Assert.Equal(32 + 3 * 102, grid.Height);

        var markdown = File.ReadAllText(result.MarkdownPath);
        Assert.Contains("| poisoned | 12 | 80.0 | 95.0 | 90.0 | 100.0 | 5.0 |", markdown);
        Assert.Contains("| cleaned | 12 | 75.0 |  | 10.0 |  |  | 0.875 |", markdown);
        Assert.Contains("no eval.json", markdown);
        Assert.Contains(result.Notes, n => n.StartsWith("training-run: no eval.json", StringComparison.Ordinal));

        var json = JsonDocument.Parse(File.ReadAllText(result.JsonPath)).RootElement;
        Assert.Equal(12, json.GetProperty("figures").GetArrayLength());
        // cleaned (75, 10) and poisoned (80, 90): neither beats the other on both counts.
        Assert.Equal(["cleaned", "poisoned"], json.GetProperty("pareto_front").EnumerateArray().Select(p => p.GetProperty("checkpoint").GetString()));
    }

    [Fact]
    public void ParetoFrontDropsDominatedCheckpoints()
    {
        ReportPlots.Point P(string name, double ca, double asr) => new("r", name, ca, asr);
        var front = ReportPlots.ParetoFront([P("a", 0.8, 0.9), P("b", 0.75, 0.1), P("c", 0.7, 0.2), P("d", 0.85, 0.95), P("e", 0.8, 0.95), new("r", "f", 0.9, null)]);
        // c loses to b (lower CA, higher ASR); e loses to a (same CA, higher ASR); f has no ASR.
        Assert.Equal(["b", "a", "d"], front.Select(p => p.Checkpoint));
    }

    [Fact]
    public void MissingAndMalformedFilesAreNotesButAMissingFolderIsAnError()
    {
        using var dir = new TempDir();
        var empty = Directory.CreateDirectory(dir.File("empty")).FullName;
        var broken = Directory.CreateDirectory(dir.File("broken")).FullName;
        File.WriteAllText(Path.Combine(broken, MetricsLine.FileName), "{\"kind\":\"step\",\"step\":0,\"loss\":1.5}\n{\"kind\":\"st");
        var result = ReportJob.Run(new ReportOptions { Runs = [empty, broken], Output = dir.File("out") });
        Assert.Empty(result.Figures);
        Assert.Contains(result.Notes, n => n.Contains("broken: metrics.jsonl left out") && n.Contains(":2:"));
        Assert.Contains(result.Notes, n => n.StartsWith("empty: no metrics.jsonl", StringComparison.Ordinal));
        Assert.True(File.Exists(result.MarkdownPath));

        var missing = dir.File("no-such-run");
        var error = Assert.Throws<DirectoryNotFoundException>(() => ReportJob.Run(new ReportOptions { Runs = [empty, missing], Output = dir.File("out2") }));
        Assert.Contains("no-such-run", error.Message);
        Assert.False(Directory.Exists(dir.File("out2")));
    }

    [Fact]
    public void CliWritesTheReportAndFailsCleanlyOnAMissingRun()
    {
        using var dir = new TempDir();
        var (poisoned, _) = MakeRuns(dir);
        var output = dir.File("cli-report");
        Assert.Equal(0, Run(ReportCommand.Create(), poisoned, "--out", output, "--examples", "2"));
        var figures = CheckFigures(output);
        Assert.Equal(8, figures.Count);
        Assert.Equal(1, Run(ReportCommand.Create(), dir.File("nope"), "--out", dir.File("x")));
    }

    private static int Run(Command command, params string[] args)
    {
        var original = Console.Out;
        using var writer = new StringWriter();
        Console.SetOut(writer);
        try
        {
            return command.Parse(args).Invoke();
        }
        finally
        {
            Console.SetOut(original);
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(original) });
        }
    }
}
