using CleanClip.Demo;
using Xunit;
using Xunit.Abstractions;

namespace CleanClip.Tests.Demo;

/// <summary>
/// <c>cleanclip demo --quick</c> tells the story: the poisoned model is backdoored and CleanCLIP removes most of it.
/// Margins chosen from seeds 1–3: poisoned ASR@1 98.6 / 54.7 / 89.7%, CleanCLIP 20.8 / 17.8 / 10.8% (gaps 78, 37, 79 points); the quick model has barely learnt shapes (CA 11–15%).
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class DemoQuickTests(ITestOutputHelper output)
{
    [Fact]
    public void QuickDemoBackdoorsTheModelAndCleanClipRemovesMostOfIt()
    {
        using var dir = new TempDir();
        var options = DemoOptions.Quick(new DemoOptions()) with { Output = dir.File("demo"), Seed = 1 };
        var result = DemoJob.Run(options, new DemoSmokeTests.SilentUi());
        foreach (var row in result.Rows)
            output.WriteLine($"{row.Stage,-11} CA {row.CleanAccuracy:P1}  ASR {row.AttackSuccessRate:P1}  RA {row.RobustAccuracy:P1}");
        output.WriteLine($"{result.Elapsed.TotalSeconds:F0} s");
        var asr = result.Rows.ToDictionary(r => r.Stage, r => r.AttackSuccessRate!.Value);
        Assert.True(asr["poisoned"] >= 0.45, $"poisoned ASR@1 {asr["poisoned"]:P1}");
        Assert.True(asr["cleanclip"] <= asr["poisoned"] - 0.25, $"CleanCLIP ASR@1 {asr["cleanclip"]:P1} vs poisoned {asr["poisoned"]:P1}");
    }
}
