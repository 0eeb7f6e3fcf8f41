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
