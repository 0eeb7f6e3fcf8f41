using CleanClip.Evaluation;
using CleanClip.Poisoning;
using Xunit;

namespace CleanClip.Tests.Evaluation;

/// <summary>EvalJob end to end on <see cref="EvalWorld"/>: bookkeeping, reproducibility and every input error.</summary>
[Collection(EvalWorldCollection.Name)]
public class EvalJobTests(EvalWorld world) : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private EvalOptions Options(string? evalData = null) => new()
    {
        Checkpoints = [world.First, world.Second], EvalData = evalData ?? world.TestFolder, Vocab = world.Vocab,
        Trigger = new TriggerOptions { Name = "badnet", PatchSize = 8 }, Target = "banana", Output = dir.File("out"),
        CacheDir = dir.File("cache"), Device = "cpu",
    };

    /// <summary>A copy of the test folder whose labels.csv is replaced by <paramref name="labels"/>.</summary>
    private string WithLabels(string labels)
    {
        var folder = Directory.CreateDirectory(dir.File($"data-{Guid.NewGuid():N}")).FullName;
        File.Copy(world.Classes, Path.Combine(folder, "classes.json"));
        File.WriteAllText(Path.Combine(folder, "labels.csv"), labels);
        return folder;
    }

    private string Image(int i) => Path.Combine(world.TestFolder, "images", $"{i:00000}.png");

    [Fact]
    public void MeasuresEveryCheckpointAndRatesTheSecondAgainstTheFirst()
    {
        var result = EvalJob.Run(Options());
        Assert.Equal(Path.Combine(dir.File("out"), EvalResults.FileName), result.JsonPath);
        var read = EvalResults.Read(result.JsonPath);
        Assert.Equal(["poisoned", "cleaned"], read.Checkpoints.Select(c => c.Label));
        Assert.Equal("banana", read.Target);
        Assert.Equal(9, read.TargetIndex);
        var (first, second) = (read.Checkpoints[0], read.Checkpoints[1]);
        Assert.Equal(100, first.Images);
        // 10 banana images of 100 are left out of the ASR denominator.
        Assert.Equal(90, first.AsrImages);
        Assert.Equal(["1", "10", "3", "5"], first.CleanAccuracy!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(10, first.PerClassAccuracy!.Count);
        Assert.Null(first.DefenseEffectivenessRating);
        double expectedDer = (Math.Max(0, first.AttackSuccessRate!["1"] - second.AttackSuccessRate!["1"])
                              - Math.Max(0, first.CleanAccuracy["1"] - second.CleanAccuracy!["1"]) + 1) / 2;
        Assert.Equal(expectedDer, second.DefenseEffectivenessRating!.Value, tolerance: 1e-12);
        // A fraction with denominator 90 (ASR) or 100 (CA).
        Assert.Equal(0, Math.Round(first.AttackSuccessRate["1"] * 90, 6) % 1);
        Assert.Equal(0, Math.Round(first.CleanAccuracy["1"] * 100, 6) % 1);
        Assert.Empty(result.SkippedImages);
    }

    [Fact]
    public void SameSeedSameNumbersAndCorruptImagesAreSkippedAndCounted()
    {
        var labels = "image,label\n" + string.Join("\n", Enumerable.Range(0, 30).Select(i => $"{Image(i)},{i % 10}")) + "\n";
        var folder = WithLabels(labels + "broken.png,3\n");
        File.WriteAllBytes(Path.Combine(folder, "broken.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2]);
        var options = Options(folder) with { Checkpoints = [world.First], BatchSize = 7 };
        var a = EvalJob.Run(options).Results.Checkpoints[0];
        var run = EvalJob.Run(options with { Output = dir.File("again"), CacheDir = null });
        var b = run.Results.Checkpoints[0];
        Assert.Equal("broken.png", Assert.Single(run.SkippedImages).Name);
        Assert.Equal(30, b.Images);
        Assert.Equal(27, b.AsrImages);
        Assert.Equal(a.CleanAccuracy, b.CleanAccuracy);
        Assert.Equal(a.AttackSuccessRate, b.AttackSuccessRate);
        Assert.Equal(a.RobustAccuracy, b.RobustAccuracy);
        // Another seed moves the BadNet patches; the clean numbers cannot change.
        var c = EvalJob.Run(options with { Seed = 99, Output = dir.File("seed") }).Results.Checkpoints[0];
        Assert.Equal(a.CleanAccuracy, c.CleanAccuracy);
    }

    [Fact]
    public void OnlyCaNeedsNoTriggerOrTarget()
    {
        var results = EvalJob.Run(Options() with { Metrics = [EvalMetric.Ca], Target = "no-such-class", Checkpoints = ["tiny-vit"] }).Results;
        Assert.Null(results.Trigger);
        Assert.Null(results.Checkpoints[0].AttackSuccessRate);
        Assert.Null(results.Checkpoints[0].AsrImages);
        Assert.Equal("tiny-vit", results.Checkpoints[0].Label);
    }

    [Fact]
    public void UnknownTargetNamesTheClassesFile()
    {
        var error = Assert.Throws<ArgumentException>(() => EvalJob.Run(Options() with { Target = "apple" }));
        Assert.Contains("'apple'", error.Message);
        Assert.Contains(world.Classes, error.Message);
        Assert.Throws<ArgumentException>(() => EvalJob.Run(Options() with { Target = "10" }));
        var small = WithLabels("image,label\n" + string.Join("\n", Enumerable.Range(0, 5).Select(i => $"{Image(i)},{i}")) + "\n");
        var results = EvalJob.Run(Options(small) with { Target = "3", Checkpoints = [world.First], Metrics = [EvalMetric.Asr] }).Results;
        Assert.Equal(3, results.TargetIndex);
        Assert.Equal("star", results.Target);
        Assert.Equal(4, results.Checkpoints[0].AsrImages);
    }

    [Fact]
    public void ClassNamesInsteadOfIndicesNameFileLineAndValue()
    {
        var folder = WithLabels($"image,label\n{Image(0)},0\n{Image(1)},apple\n");
        var error = Assert.Throws<InvalidDataException>(() => EvalJob.Run(Options(folder)));
        Assert.Contains(Path.Combine(folder, "labels.csv"), error.Message);
        Assert.Contains("line 3", error.Message);
        Assert.Contains("'apple'", error.Message);
    }

    [Fact]
    public void EmptyEvalSetIsAnError()
    {
        var folder = WithLabels("image,label\n");
        var error = Assert.Throws<InvalidDataException>(() => EvalJob.Run(Options(folder)));
        Assert.Contains("no images listed", error.Message);
        Assert.Contains(folder, error.Message);
    }

    [Fact]
    public void OnlyTargetClassImagesIsAnError()
    {
        var folder = WithLabels($"image,label\n{Image(9)},9\n");
        var error = Assert.Throws<InvalidDataException>(() => EvalJob.Run(Options(folder) with { Checkpoints = [world.First] }));
        Assert.Contains("target class 'banana'", error.Message);
    }

    [Theory]
    [InlineData("linear-probe", "--probe-train-data")]
    [InlineData("retrieval", "--retrieval-data")]
    public void ProbeAndRetrievalNeedTheirData(string metric, string option)
    {
        var error = Assert.Throws<ArgumentException>(() => EvalJob.Run(Options() with { Metrics = EvalOptions.ParseMetrics($"ca,{metric}") }));
        Assert.Contains(option, error.Message);
    }

    [Fact]
    public void BadMetricNamesAndLabelCountsAreErrors()
    {
        Assert.Contains("ca, asr, ra, linear-probe, retrieval", Assert.Throws<ArgumentException>(() => EvalOptions.ParseMetrics("ca,asx")).Message);
        Assert.Throws<ArgumentException>(() => EvalJob.Run(Options() with { Labels = ["only-one"] }));
    }
}
