using CleanClip.Detection;
using Xunit;

namespace CleanClip.Tests.Detection;

public class ReferenceBatchesTests
{
    [Fact]
    public void BatchesPartitionTheRowsWithNoneSmallerThanTheSize()
    {
        var batches = ReferenceBatches.Create(2500, 1024, seed: 1);
        // floor(2500 / 1024) = 2 batches of 1250: a third batch of 452 rows would have sparser neighbourhoods.
        Assert.Equal([1250, 1250], batches.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 2500), batches.SelectMany(b => b).Order());
        Assert.Equal(1250, ReferenceBatches.SmallestSize(2500, 1024));
    }

    [Fact]
    public void TheSeedFixesThePartition()
    {
        Assert.Equal(ReferenceBatches.Create(300, 100, 5), ReferenceBatches.Create(300, 100, 5));
        Assert.NotEqual(ReferenceBatches.Create(300, 100, 5)[0], ReferenceBatches.Create(300, 100, 6)[0]);
    }

    [Fact]
    public void FewerRowsThanTheSizeMakeOneBatch() =>
        Assert.Equal(7, Assert.Single(ReferenceBatches.Create(7, 1024, 0)).Length);

    [Theory]
    [InlineData(16, 16, 100, "--k 16 must be smaller than --reference-batch 16")]
    [InlineData(16, 1024, 10, "only 10 rows")]
    [InlineData(16, 1024, 0, "no rows")]
    public void SettingsOutOfRangeAreRefusedWithTheOptionNamed(int k, int batch, int rows, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => new ScanSettings { K = k, ReferenceBatch = batch }.Validate(rows));
        Assert.Contains(message, error.Message);
    }
}
