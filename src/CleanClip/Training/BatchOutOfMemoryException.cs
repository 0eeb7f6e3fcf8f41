using System.Runtime.InteropServices;

namespace CleanClip.Training;

/// <summary>
/// A training step ran out of memory: LibTorch's allocator failed ("DefaultCPUAllocator: can't allocate memory",
/// "CUDA out of memory") or .NET's did. The message names the batch size and suggests a smaller one instead of a
/// native stack trace; the run's last checkpoint is untouched.
/// </summary>
public sealed class BatchOutOfMemoryException(int batchSize, long step, string? lastCheckpoint, Exception inner)
    : InvalidOperationException($"out of memory in training step {step} with --batch-size {batchSize} ({FirstLine(inner.Message)}). " +
        $"Lower --batch-size (e.g. {Math.Max(1, batchSize / 2)})" +
        (lastCheckpoint is null ? "." : $" and resume from {lastCheckpoint} with --resume, or restart.") , inner)
{
    public int BatchSize { get; } = batchSize;

    /// <summary>Whether <paramref name="e"/> is an allocation failure of LibTorch (CPU or CUDA) or of .NET.</summary>
    public static bool IsOutOfMemory(Exception e) =>
        e is OutOfMemoryException
        || (e is ExternalException && (e.Message.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase)
                                       || e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Runs one training step, turning an allocation failure into this exception.</summary>
    public static T Guard<T>(Func<T> step, int batchSize, long stepNumber, string? lastCheckpoint)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (IsOutOfMemory(e))
        {
            throw new BatchOutOfMemoryException(batchSize, stepNumber, lastCheckpoint, e);
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
