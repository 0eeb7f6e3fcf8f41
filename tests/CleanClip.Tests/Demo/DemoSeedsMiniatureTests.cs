using System.Text.Json;
using CleanClip.Demo;
using Xunit;

namespace CleanClip.Tests.Demo;

/// <summary>
/// <c>demo --seeds 1,2</c> on the miniature demo: two demos in seed-1 and seed-2, summarised in seeds.md and seeds.json
/// with the machine they ran on. The story itself is DemoQuickTests'.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class DemoSeedsMiniatureTests
{
    [Fact]
    public void TwoSeedsAreRunAndSummarisedWithTheMachine()
    {
        using var dir = new TempDir();
        var options = DemoSmokeTests.Miniature(dir.File("demo"));
        var ui = new DemoSmokeTests.SilentUi();
        var result = DemoSeeds.Run(options, [1, 2], ui);
        DemoSeedsTests.AssertWellFormed(result, [1, 2]);
        Assert.Contains(ui.Headings, h => h.StartsWith("seed 2 · "));
        Assert.Equal(["poisoned", "cleanclip", "mmcl", "ssl", "supervised"], result.Summary.Select(s => s.Stage));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(options.Output, "seeds.json")));
        var machine = json.RootElement.GetProperty("machine");
        Assert.Equal(Environment.ProcessorCount, machine.GetProperty("logical_cpus").GetInt32());
        Assert.True(machine.GetProperty("torch_threads").GetInt32() >= 1);
        Assert.False(string.IsNullOrWhiteSpace(machine.GetProperty("cpu_model").GetString()));
    }
}
