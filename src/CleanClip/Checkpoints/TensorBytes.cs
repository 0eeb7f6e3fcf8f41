using System.Security.Cryptography;
using TorchSharp;

namespace CleanClip.Checkpoints;

/// <summary>
/// Moves raw tensor bytes between streams and tensor memory without an intermediate managed buffer, in chunks because
/// <see cref="torch.Tensor.bytes"/> is a Span (at most 2 GB) and single CLIP weights can approach that.
/// </summary>
internal static class TensorBytes
{
    private const long ChunkBytes = 1L << 30;

    public static long ByteCount(torch.Tensor t) => t.numel() * t.element_size();

    /// <summary>Fills a freshly allocated contiguous CPU tensor; throws EndOfStreamException when the stream is short.</summary>
    public static void Fill(torch.Tensor target, Stream source)
    {
        ForEachChunk(target, part => source.ReadExactly(part.bytes));
    }

    /// <summary>Writes a contiguous CPU tensor's bytes.</summary>
    public static void Write(torch.Tensor source, Stream destination)
    {
        ForEachChunk(source, part => destination.Write(part.bytes));
    }

    /// <summary>Feeds a contiguous CPU tensor's bytes to <paramref name="hash"/>.</summary>
    public static void Hash(torch.Tensor source, IncrementalHash hash)
    {
        ForEachChunk(source, part => hash.AppendData(part.bytes));
    }

    private static void ForEachChunk(torch.Tensor t, Action<torch.Tensor> action)
    {
        long total = ByteCount(t);
        if (total == 0) return;
        if (total <= ChunkBytes)
        {
            action(t);
            return;
        }
        long chunkElements = ChunkBytes / t.element_size();
        using var flat = t.reshape(-1);
        for (long start = 0, n = flat.numel(); start < n; start += chunkElements)
        {
            using var part = flat.narrow(0, start, Math.Min(chunkElements, n - start));
            action(part);
        }
    }
}
