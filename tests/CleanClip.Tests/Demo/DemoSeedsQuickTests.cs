using CleanClip.Demo;
using Xunit;
using Xunit.Abstractions;

namespace CleanClip.Tests.Demo;

/// <summary><c>demo --quick --seeds 1,2</c>: two quick demos in seed-1 and seed-2, summarised in seeds.md and seeds.json.</summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class DemoSeedsQuickTests(ITestOutputHelper output)
{
    [Fact]
    public void TwoQuickSeedsAreRunAndSummarised()
    {
        using var dir = new TempDir();
        var options = DemoOptions.Quick(new DemoOptions()) with { Output = dir.File("demo") };
        var ui = new DemoSmokeTests.SilentUi();
        var result = DemoSeeds.Run(options, [1, 2], ui);
        output.WriteLine(File.ReadAllText(result.Table));
        output.WriteLine($"{result.Elapsed.TotalSeconds:F0} s");
        DemoSeedsTests.AssertWellFormed(result, [1, 2]);
        Assert.Contains(ui.Headings, h => h.StartsWith("seed 2 · "));
        Assert.Equal(["poisoned", "cleanclip", "mmcl", "ssl", "supervised"], result.Summary.Select(s => s.Stage));
        Assert.All(result.Summary.SkipLast(1), s => Assert.Equal(2, s.LinearProbeAttackSuccessRate!.Seeds));
        // The quick demo's story on these seeds (DemoQuickTests): the poisoned model is backdoored on average.
        Assert.True(result.Summary[0].AttackSuccessRate!.Mean >= 0.45, $"poisoned ASR@1 mean {result.Summary[0].AttackSuccessRate!.Mean:P1}");
    }
}
