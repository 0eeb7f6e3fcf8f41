using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Platform;

public class TorchLoadsTests
{
    [Fact]
    public void LibTorchLoadsAndComputes()
    {
        // Fails with a TypeInitializationException when the GLIBCXX patch in Directory.Build.targets did not run.
        using var a = torch.tensor(new float[] { 1, 2, 3 });
        using var b = (a * a).sum();
        Assert.Equal(14f, b.item<float>());
    }
}

public class TorchRuntimeTests
{
    // The process switches are applied once the library is initialized: NNPACK and glibc's settings are not readable
    // back through TorchSharp, but the OpenMP policy is recorded (PASSIVE, or what the environment had) and the
    // oneDNN switch follows CLEANCLIP_ONEDNN or the last model that computed, never an uninitialized state.
    [Fact]
    public void InitializeAppliesTheProcessSwitches()
    {
        CleanClip.Models.TorchRuntime.Initialize();
        CleanClip.Models.TorchRuntime.Initialize();
        var policy = CleanClip.Models.TorchRuntime.OpenMpWaitPolicy;
        Assert.False(string.IsNullOrEmpty(policy));
        var set = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        if (set is not null) Assert.Equal(set, policy);
        if (CleanClip.Models.TorchRuntime.ForcedOneDnn is { } forced)
            Assert.Equal(forced, CleanClip.Models.TorchRuntime.OneDnnEnabled);
    }
}
