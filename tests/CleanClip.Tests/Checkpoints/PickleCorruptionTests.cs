using System.IO.Compression;
using CleanClip.Checkpoints;
using Xunit;

namespace CleanClip.Tests.Checkpoints;

public class PickleCorruptionTests
{
    private static readonly byte[] TwoFloats = PickleBytes.Floats(1, 2);

    private static byte[] TensorPickle(long numel, long offset, long[] size, long[] stride) =>
        new PickleBytes().Tensor("FloatStorage", "0", numel, offset, size, stride).Stop();

    private static byte[] NestedLists(int depth)
    {
        var p = new PickleBytes();
        for (int i = 0; i < depth; i++) p.Op(']');
        for (int i = 1; i < depth; i++) p.Op('a');
        return p.Stop();
    }

    public static TheoryData<string, string> Cases => new()
    {
        { "empty", "file is empty" },
        { "random", "not a PyTorch zip checkpoint" },
        { "no-data-pkl", "zip has no data.pkl: not a PyTorch checkpoint" },
        { "empty-zip", "zip archive is empty" },
        { "two-top-folders", "not under one top-level folder" },
        { "declared-bomb", "declares 4026531840 uncompressed bytes, more than 16x the archive's own" },
        { "deflate-bomb", "zip bomb or corrupt archive" },
        { "storage-size-mismatch", "storage 'data/0' holds 8 bytes but data.pkl declares 3 elements of torch.FloatStorage (12 bytes)" },
        { "storage-missing", "storage 'data/0' named in data.pkl is missing from the archive" },
        { "view-past-end", "reaches past the end of storage '0' of 2 elements" },
        { "view-negative-stride", "has an invalid view: offset 0, size [2], stride [-1]" },
        { "view-bomb", "far more than its storage '0' of 2" },
        { "pickle-truncated", "truncated" },
        { "pickle-no-stop", "pickle data ends before its STOP opcode (truncated)" },
        { "unsupported-opcode", "unsupported pickle opcode 0x82" },
        { "memo-missing", "pickle memo has no entry 7" },
        { "stack-underflow", "pickle stack underflow" },
        { "deep-nesting", "pickle nests deeper than 256 levels" },
        { "bad-persistent-id", "unsupported persistent id" },
        { "big-endian", "byteorder is 'big'; only little-endian checkpoints are supported" },
        { "bare-storage-global", "pickle leaves a bare storage type 'torch.FloatStorage'" },
        { "wrong-arity", "'torch._utils._rebuild_tensor_v2' called with 1 arguments" },
        { "integer-too-wide", "integer of 9 bytes is wider than 64 bits" },
    };

    private static byte[] Make(string name) => name switch
    {
        "empty" => Array.Empty<byte>(),
        "random" => RandomBytes(500, 3),
        "no-data-pkl" => PickleBytes.ZipOf(("archive/version", "3\n"u8.ToArray()), ("archive/data/0", TwoFloats)),
        "empty-zip" => PickleBytes.ZipOf(),
        "two-top-folders" => PickleBytes.ZipOf(("a/data.pkl", new PickleBytes().Op('N').Stop()), ("b/data/0", TwoFloats)),
        "declared-bomb" => RawZip.Build(("archive/data.pkl", new PickleBytes().Op('N').Stop(), 4026531840u)),
        "deflate-bomb" => DeflateBomb(),
        "storage-size-mismatch" => PickleBytes.Zip(TensorPickle(3, 0, new long[] { 3 }, new long[] { 1 }), ("data/0", TwoFloats)),
        "storage-missing" => PickleBytes.Zip(TensorPickle(2, 0, new long[] { 2 }, new long[] { 1 })),
        "view-past-end" => PickleBytes.Zip(TensorPickle(2, 1, new long[] { 2 }, new long[] { 1 }), ("data/0", TwoFloats)),
        "view-negative-stride" => PickleBytes.Zip(TensorPickle(2, 0, new long[] { 2 }, new long[] { -1 }), ("data/0", TwoFloats)),
        "view-bomb" => PickleBytes.Zip(TensorPickle(2, 0, new long[] { 1L << 40 }, new long[] { 0 }), ("data/0", TwoFloats)),
        "pickle-truncated" => PickleBytes.Zip(TensorPickle(2, 0, new long[] { 2 }, new long[] { 1 })[..40], ("data/0", TwoFloats)),
        "pickle-no-stop" => PickleBytes.Zip(new PickleBytes().Op('N').ToArray()),
        "unsupported-opcode" => PickleBytes.Zip(new PickleBytes().Op(0x82).Op(1).Stop()),
        "memo-missing" => PickleBytes.Zip(new PickleBytes().Op('h').Op(7).Stop()),
        "stack-underflow" => PickleBytes.Zip(new PickleBytes().Op('0').Stop()),
        "deep-nesting" => PickleBytes.Zip(NestedLists(5000)),
        "bad-persistent-id" => PickleBytes.Zip(new PickleBytes().Str("os").Op('Q').Stop()),
        "big-endian" => PickleBytes.Zip(new PickleBytes().Op('N').Stop(), ("byteorder", "big"u8.ToArray())),
        "bare-storage-global" => PickleBytes.Zip(new PickleBytes().Global("torch", "FloatStorage").Stop()),
        "wrong-arity" => PickleBytes.Zip(new PickleBytes().Global("torch._utils", "_rebuild_tensor_v2").Op('N').Op(0x85).Op('R').Stop()),
        "integer-too-wide" => PickleBytes.Zip(new PickleBytes().Op(0x8a).Op(9).Raw(new byte[9]).Stop()),
        _ => throw new ArgumentException(name),
    };

    private static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        bytes[0] = 0x13;  // not a zip, pickle or safetensors start by chance
        return bytes;
    }

    /// <summary>A genuine bomb: 40 MB of zeros deflate to a few tens of KB.</summary>
    private static byte[] DeflateBomb()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var s = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open())
                s.Write(new PickleBytes().Op('N').Stop());
            using (var s = zip.CreateEntry("archive/data/0", CompressionLevel.SmallestSize).Open())
                s.Write(new byte[40 << 20]);
        }
        return buffer.ToArray();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CorruptOrHostileArchiveIsRefusedWithAMessageNamingTheProblem(string name, string expectedMessage)
    {
        using var folder = new TempDir();
        var path = folder.Write(name + ".pt", Make(name));
        var e = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Load(path));
        Assert.True(e.Message.Contains(expectedMessage), e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void EveryTruncationOfARealCheckpointIsRefused()
    {
        var valid = File.ReadAllBytes(FixtureExpectations.Path("cleanclip_checkpoint.pt"));
        using var folder = new TempDir();
        foreach (var cut in new[] { 1, 3, 4, 30, 200, valid.Length / 3, valid.Length / 2, valid.Length - 30, valid.Length - 1 })
        {
            var path = folder.Write($"cut{cut}.pt", valid[..cut]);
            Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Load(path));
        }
    }

    [Fact]
    public void FlippedBytesInsideDataPklNeverEscapeAsAnotherException()
    {
        var valid = File.ReadAllBytes(FixtureExpectations.Path("plain_state_dict.pt"));
        using var folder = new TempDir();
        var random = new Random(5);
        int refused = 0;
        // data.pkl is the first entry: its bytes start after the 30-byte local header and the entry name.
        for (int i = 0; i < 40; i++)
        {
            var bytes = (byte[])valid.Clone();
            int at = 60 + random.Next(0, 400);
            bytes[at] ^= (byte)random.Next(1, 256);
            var path = folder.Write($"flip{i}.pt", bytes);
            try
            {
                if (PickleCheckpoint.Load(path) is Dictionary<string, object?> graph)
                    foreach (var t in graph.Values.OfType<TorchSharp.torch.Tensor>()) t.Dispose();
            }
            catch (CheckpointFormatException)
            {
                refused++;
            }
        }
        Assert.InRange(refused, 20, 40);
    }

    /// <summary>Opcodes with plausible arguments, so random programs get past the first byte and exercise the VM.</summary>
    private static readonly Func<Random, byte[]>[] Alphabet =
    {
        _ => new[] { (byte)'(' }, _ => new[] { (byte)'t' }, _ => new[] { (byte)')' }, _ => new[] { (byte)']' },
        _ => new[] { (byte)'}' }, _ => new[] { (byte)'a' }, _ => new[] { (byte)'e' }, _ => new[] { (byte)'s' },
        _ => new[] { (byte)'u' }, _ => new[] { (byte)'R' }, _ => new[] { (byte)'b' }, _ => new[] { (byte)'Q' },
        _ => new[] { (byte)'N' }, _ => new[] { (byte)'0' }, _ => new[] { (byte)'1' }, _ => new[] { (byte)'2' },
        _ => new[] { (byte)'l' }, _ => new[] { (byte)'d' }, _ => new[] { (byte)0x81 }, _ => new[] { (byte)0x85 },
        _ => new[] { (byte)0x86 }, _ => new[] { (byte)0x87 }, _ => new[] { (byte)0x88 }, _ => new[] { (byte)0x94 },
        r => new[] { (byte)'K', (byte)r.Next(256) }, r => new[] { (byte)'h', (byte)r.Next(4) },
        r => new[] { (byte)'q', (byte)r.Next(4) }, r => new[] { (byte)0x8a, (byte)1, (byte)r.Next(256) },
        _ => new PickleBytes(proto: false).Str("storage").ToArray(), _ => new PickleBytes(proto: false).Str("0").ToArray(),
        _ => new PickleBytes(proto: false).Global("torch._utils", "_rebuild_tensor_v2").ToArray(),
        _ => new PickleBytes(proto: false).Global("torch", "FloatStorage").ToArray(),
        _ => new PickleBytes(proto: false).Global("collections", "OrderedDict").ToArray(),
        _ => new PickleBytes(proto: false).Global("torch._tensor", "_rebuild_from_type_v2").ToArray(),
        _ => new PickleBytes(proto: false).Global("torch", "Size").ToArray(),
    };

    [Fact]
    public void RandomPickleProgramsEitherLoadOrFailAsFormatErrors()
    {
        var random = new Random(13);
        using var folder = new TempDir();
        int refused = 0, loaded = 0;
        for (int i = 0; i < 400; i++)
        {
            var p = new PickleBytes();
            for (int n = random.Next(1, 40); n > 0; n--) p.Raw(Alphabet[random.Next(Alphabet.Length)](random));
            var path = folder.Write($"fuzz{i}.pt", PickleBytes.Zip(p.Stop(), ("data/0", PickleBytes.Floats(1, 2, 3, 4))));
            try
            {
                PickleCheckpoint.Load(path);
                loaded++;
            }
            catch (CheckpointFormatException)
            {
                refused++;
            }
        }
        // Both outcomes occur, so the programs reach past the first opcode; any other exception fails the test.
        Assert.InRange(loaded, 1, 399);
        Assert.InRange(refused, 1, 399);
    }
}
