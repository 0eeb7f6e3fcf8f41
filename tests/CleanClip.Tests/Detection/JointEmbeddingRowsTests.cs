using CleanClip.Detection;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Detection;

public class JointEmbeddingRowsTests
{
    [Fact]
    public void EachRowIsItsImageAndItsPairsTextSideBySideOverRootTwo()
    {
        float h = (float)Math.Sqrt(0.5);
        using var images = torch.tensor(new float[] { 1, 0, 0, 1 }, [2, 2]);
        using var texts = torch.tensor(new float[] { 0, 1, 1, 0, h, h }, [3, 2]);
        // Image row 0 is the pair of text row 2, image row 1 of text row 0 (a skipped image shifts the rows).
        var joint = new JointEmbeddingRows(new TensorRows(images), new TensorRows(texts), [2, 0]);
        Assert.Equal((2, 4), (joint.Count, joint.Dimension));
        using var rows = joint.Gather([1, 0]);
        var expected = new[] { 0, h, 0, h, h, 0, 0.5f, 0.5f };
        Assert.Equal(expected, rows.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
        // Unit embeddings give unit rows.
        using var norms = rows.norm(1);
        Assert.All(norms.data<float>().ToArray(), n => Assert.Equal(1, n, 1e-6));
    }
}
