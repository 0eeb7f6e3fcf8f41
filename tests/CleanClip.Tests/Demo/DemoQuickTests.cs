using CleanClip.Demo;
using Xunit;
using Xunit.Abstractions;

namespace CleanClip.Tests.Demo;

/// <summary>
/// <c>cleanclip demo --quick</c> (the real world: 4,000 Fashion-MNIST pretraining pairs, 1,500 cleaning pairs) tells
/// the paper's story: the poisoned model is backdoored, CleanCLIP removes most of the backdoor while keeping clean
/// accuracy, and MMCL-only finetuning on the same pairs for the same steps keeps most of it.
/// The thresholds hold on seeds 1–3 with 1 and 2 LibTorch threads (a different summation order, as on another CPU),
/// measured by <c>cleanclip demo --quick --seeds 1,2,3</c> with and without <c>OMP_NUM_THREADS=1</c>
/// (docs/experiments/cleaning-frontier.md): poisoned ASR@1 98.4–99.5 %, CleanCLIP 2.7–58.3 %, MMCL 84.5–98.2 %, the
/// gap MMCL − CleanCLIP 39.0–90.1 points, CleanCLIP's CA@1 from 0.2 below to 2.8 points above the poisoned model's.
/// The quick story is weaker than the full demo's: CleanCLIP leaves half the backdoor on seeds 2 and 3.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class DemoQuickTests(ITestOutputHelper output)
{
    [Fact]
    public void QuickDemoBackdoorsTheModelAndCleanClipRemovesMoreOfItThanMmcl()
    {
        using var dir = new TempDir();
        var options = DemoOptions.Quick(DemoOptions.RealWorld(new DemoOptions())) with { Output = dir.File("demo"), Seed = 1 };
        var result = DemoJob.Run(options, new DemoSmokeTests.SilentUi());
        foreach (var row in result.Rows)
            output.WriteLine($"{row.Stage,-11} CA {row.CleanAccuracy:P1}  ASR {row.AttackSuccessRate:P1}  LP ASR {row.LinearProbeAttackSuccessRate:P1}");
        output.WriteLine($"{result.Elapsed.TotalSeconds:F0} s");
        var asr = result.Rows.ToDictionary(r => r.Stage, r => r.AttackSuccessRate!.Value);
        var ca = result.Rows.ToDictionary(r => r.Stage, r => r.CleanAccuracy!.Value);
        Assert.True(asr["poisoned"] >= 0.95, $"poisoned ASR@1 {asr["poisoned"]:P1}");
        Assert.True(asr["cleanclip"] <= 0.70, $"CleanCLIP ASR@1 {asr["cleanclip"]:P1}");
        Assert.True(asr["mmcl"] >= 0.75, $"MMCL ASR@1 {asr["mmcl"]:P1}");
        Assert.True(asr["mmcl"] - asr["cleanclip"] >= 0.25, $"MMCL − CleanCLIP ASR@1 gap {asr["mmcl"] - asr["cleanclip"]:P1}");
        Assert.True(ca["cleanclip"] >= ca["poisoned"] - 0.03, $"CleanCLIP CA@1 {ca["cleanclip"]:P1} vs poisoned {ca["poisoned"]:P1}");
    }
}
