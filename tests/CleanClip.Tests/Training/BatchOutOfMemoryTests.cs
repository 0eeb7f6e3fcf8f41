using CleanClip.Training;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Training;

public class BatchOutOfMemoryTests
{
    [Fact]
    public void A_real_LibTorch_allocation_failure_becomes_a_message_suggesting_a_smaller_batch()
    {
        // 2^45 floats = 128 TiB: more than any machine here has, so LibTorch's CPU allocator fails at once.
        var e = Assert.Throws<BatchOutOfMemoryException>(() =>
            BatchOutOfMemoryException.Guard(() => torch.empty(1L << 45).numel(), batchSize: 256, stepNumber: 12, lastCheckpoint: "run/checkpoints/step-00000010.safetensors"));
        Assert.Contains("--batch-size 256", e.Message);
        Assert.Contains("e.g. 128", e.Message);
        Assert.Contains("step 12", e.Message);
        Assert.Contains("step-00000010.safetensors", e.Message);
        Assert.Contains("allocate", e.Message);                          // LibTorch's own first line is kept
        Assert.True(BatchOutOfMemoryException.IsOutOfMemory(e.InnerException!));
    }

    [Fact]
    public void Other_failures_pass_through_unchanged()
    {
        Assert.Throws<ArgumentException>(() => BatchOutOfMemoryException.Guard<int>(() => throw new ArgumentException("bad"), 8, 1, null));
        Assert.False(BatchOutOfMemoryException.IsOutOfMemory(new System.Runtime.InteropServices.ExternalException("shape mismatch")));
        Assert.True(BatchOutOfMemoryException.IsOutOfMemory(new OutOfMemoryException()));
    }
}
