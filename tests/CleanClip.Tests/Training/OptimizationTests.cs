using CleanClip.Models;
using CleanClip.Optimization;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Training;

public class OptimizationTests
{
    [Fact]
    public void ScheduleFromZeroWarmsUpLinearlyThenFollowsTheCosine()
    {
        var schedule = new LearningRateSchedule(1e-3, WarmupSteps: 4, TotalSteps: 20, StepsPerEpoch: 10);
        Assert.Equal(2.5e-4, schedule.At(0), tolerance: 1e-12);
        Assert.Equal(1e-3, schedule.At(3), tolerance: 1e-12);
        Assert.Equal(1e-3, schedule.At(4), tolerance: 1e-12);                      // cosine starts at its top
        Assert.Equal(0.5e-3, schedule.At(12), tolerance: 1e-12);                   // half-way through the 16 cosine steps
        Assert.Equal(0, schedule.At(20), tolerance: 1e-12);
    }

    [Fact]
    public void ReferenceScheduleIsOneEpochAheadAndSkipsShortWarmup()
    {
        // The reference's worked example: 100K pairs, batch 64 → 1562 batches, 10 epochs, warmup 50.
        var reference = new LearningRateSchedule(1.0, 50, 15_620, 1562, ScheduleMode.Reference);
        Assert.Equal(0.5 * (1 + Math.Cos(Math.PI * 1512 / 15_570)), reference.At(0), tolerance: 1e-12);
        Assert.InRange(reference.At(0), 0.976, 0.978);               // "starts at ≈0.977·base": no warmup
        Assert.Equal(0, reference.At(9 * 1562), tolerance: 1e-12);                  // hits 0 at the start of epoch 10
        Assert.InRange(reference.At(15_619), 0, 0.025);               // epoch 10 runs at ≤ 0.025·base
        var fixedSchedule = reference with { Mode = ScheduleMode.FromZero };
        Assert.Equal(1.0 / 50, fixedSchedule.At(0), tolerance: 1e-12);
    }

    [Fact]
    public void RoleRuleExemptsNormsBiasesAndLogitScaleButTheReferenceDecaysTheShortcutNorm()
    {
        using var model = new ClipModel(ModelRegistry.Get("tiny-rn"));
        var role = WeightDecayGroups.Split(model, DecayRule.Role);
        var reference = WeightDecayGroups.Split(model, DecayRule.Reference);
        var roleExempt = role.NotDecayed.Select(p => p.Name).ToHashSet();
        var referenceExempt = reference.NotDecayed.Select(p => p.Name).ToHashSet();
        Assert.Equal(model.parameters().Count(), role.Decayed.Count + role.NotDecayed.Count);

        foreach (var name in new[] { "logit_scale", "ln_final.weight", "visual.bn1.weight", "transformer.resblocks.0.attn.in_proj_bias", "visual.attnpool.q_proj.bias" })
        {
            Assert.Contains(name, roleExempt);
            Assert.Contains(name, referenceExempt);
        }
        foreach (var name in new[] { "token_embedding.weight", "visual.attnpool.q_proj.weight", "text_projection", "positional_embedding" })
        {
            Assert.DoesNotContain(name, roleExempt);
            Assert.DoesNotContain(name, referenceExempt);
        }
        Assert.Contains("visual.layer1.0.downsample.1.weight", roleExempt);
        Assert.DoesNotContain("visual.layer1.0.downsample.1.weight", referenceExempt);
    }

    [Fact]
    public void AdamWDecaysOnlyTheDecayedGroup()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        using var model = new ClipModel(ModelRegistry.Get("tiny-vit"));
        var optimizer = WeightDecayGroups.AdamW(model, DecayRule.Role, learningRate: 0.1, weightDecay: 0.5);
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        // Zero gradients: Adam's own update is 0, so only the decoupled decay p ← p·(1 − lr·wd) moves parameters.
        (model.parameters().Select(p => p.sum()).Aggregate((a, b) => a + b) * 0).backward();
        optimizer.Step();
        var after = model.state_dict();
        Assert.True(after["ln_final.weight"].equal(before["ln_final.weight"]).all().item<bool>());
        Assert.True(after["logit_scale"].equal(before["logit_scale"]).all().item<bool>());
        var expected = before["token_embedding.weight"] * (1 - 0.1 * 0.5);
        Assert.True(after["token_embedding.weight"].allclose(expected, rtol: 1e-6, atol: 1e-7));
    }

    [Fact]
    public void LogitScaleIsClampedToZeroAndLnHundred()
    {
        using var model = new ClipModel(ModelRegistry.Get("tiny-vit"));
        using (torch.no_grad()) model.LogitScale.fill_(10);
        LogitScaleClamp.Apply(model);
        Assert.Equal(Math.Log(100), model.LogitScale.item<float>(), tolerance: 1e-5);
        using (torch.no_grad()) model.LogitScale.fill_(-1);
        LogitScaleClamp.Apply(model);
        Assert.Equal(0f, model.LogitScale.item<float>());
    }
}
