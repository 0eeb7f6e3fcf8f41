using System.Text.Json;
using CleanClip.Demo;
using Xunit;

namespace CleanClip.Tests.Demo;

/// <summary><c>demo --seeds</c>: parsing the list and summarising per model (mean, min–max over the seeds that have a value).</summary>
public class DemoSeedsTests
{
    [Fact]
    public void SeedsAreACommaSeparatedListOfDistinctNumbers()
    {
        Assert.Equal([1UL, 2UL, 3UL], DemoSeeds.Parse("1,2,3"));
        Assert.Equal([7UL], DemoSeeds.Parse(" 7 "));
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => DemoSeeds.Parse("1,2,1")).Message);
        Assert.Contains("not a seed", Assert.Throws<ArgumentException>(() => DemoSeeds.Parse("1,-2")).Message);
        Assert.Contains("no seed", Assert.Throws<ArgumentException>(() => DemoSeeds.Parse(",")).Message);
    }

    [Fact]
    public void TheSummaryKeepsTheModelOrderAndSpreadsEachMetric()
    {
        static DemoRow Row(string stage, double ca, double asr, double? probe) => new(stage, ca, asr, null, null, 1, asr + 0.01, null, probe);
        var runs = new[]
        {
            new DemoSeedRun(1, "a", "a/results.json", [Row("poisoned", 0.8, 0.9, 0.5), Row("cleanclip", 0.7, 0.1, 0.2), Row("supervised", 0.6, 0.3, null)], 10),
            new DemoSeedRun(2, "b", "b/results.json", [Row("poisoned", 0.6, 0.7, 0.3), Row("cleanclip", 0.5, 0.3, 0.4), Row("supervised", 0.4, 0.1, null)], 10),
        };
        var summary = DemoSeeds.Summarize(runs);
        Assert.Equal(["poisoned", "cleanclip", "supervised"], summary.Select(s => s.Stage));
        var poisoned = summary[0];
        Assert.Equal(0.7, poisoned.CleanAccuracy!.Mean, 9);
        Assert.Equal((0.6, 0.8, 2), (poisoned.CleanAccuracy.Min, poisoned.CleanAccuracy.Max, poisoned.CleanAccuracy.Seeds));
        Assert.Equal(0.81, poisoned.AttackSuccessRate5!.Mean, 9);
        Assert.Equal(0.4, poisoned.LinearProbeAttackSuccessRate!.Mean, 9);
        Assert.Null(summary[2].LinearProbeAttackSuccessRate);
        var table = DemoSeeds.Markdown(new DemoOptions(), runs, summary);
        Assert.Contains("| 2 | cleanclip | 50.0% | 30.0% | 31.0% | 40.0% |", table);
        Assert.Contains("| poisoned | 70.0% (60.0–80.0) | 80.0% (70.0–90.0) |", table);
    }

    /// <summary>Checks a finished <c>--seeds</c> folder: a demo folder per seed, and seeds.json agreeing with each seed's results.json.</summary>
    internal static void AssertWellFormed(DemoSeedsResult result, IReadOnlyList<ulong> seeds)
    {
        Assert.Equal(seeds, result.Runs.Select(r => r.Seed));
        foreach (var seed in seeds)
            Assert.True(File.Exists(Path.Combine(result.Output, DemoSeeds.SeedFolder(seed), "results.json")), $"seed {seed} has no results.json");
        Assert.Equal(Path.Combine(result.Output, DemoSeeds.JsonName), result.Json);
        using var json = JsonDocument.Parse(File.ReadAllText(result.Json));
        var root = json.RootElement;
        Assert.Equal(DemoSeeds.Format, root.GetProperty("format").GetString());
        Assert.Equal(seeds, root.GetProperty("seeds").EnumerateArray().Select(e => e.GetUInt64()));
        foreach (var (run, seed) in root.GetProperty("runs").EnumerateArray().Zip(seeds))
        {
            using var results = JsonDocument.Parse(File.ReadAllText(run.GetProperty("results_json").GetString()!));
            var fromDemo = results.RootElement.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("stage").GetString(), r.GetProperty("attack_success_rate").GetDouble()));
            var fromSeeds = run.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("stage").GetString(), r.GetProperty("attack_success_rate").GetDouble()));
            Assert.Equal(fromDemo, fromSeeds);
            Assert.Equal(seed, run.GetProperty("seed").GetUInt64());
        }
        foreach (var model in root.GetProperty("summary").EnumerateArray())
            foreach (var metric in new[] { "clean_accuracy", "attack_success_rate", "attack_success_rate5" })
            {
                var spread = model.GetProperty(metric);
                double mean = spread.GetProperty("mean").GetDouble(), min = spread.GetProperty("min").GetDouble(), max = spread.GetProperty("max").GetDouble();
                Assert.InRange(mean, min - 1e-12, max + 1e-12);
                Assert.Equal(seeds.Count, spread.GetProperty("seeds").GetInt32());
            }
        var table = File.ReadAllLines(result.Table);
        foreach (var run in result.Runs)
            foreach (var row in run.Rows)
                Assert.Single(table, l => l.StartsWith($"| {run.Seed} | {row.Stage} |"));
    }
}
