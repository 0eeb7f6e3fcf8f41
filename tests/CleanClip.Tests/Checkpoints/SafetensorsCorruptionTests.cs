using System.Buffers.Binary;
using System.Text;
using CleanClip.Checkpoints;
using Xunit;

namespace CleanClip.Tests.Checkpoints;

public class SafetensorsCorruptionTests
{
    /// <summary>A safetensors file from a raw header text and data section, optionally lying about the header length.</summary>
    private static byte[] File(string header, byte[]? data = null, ulong? declaredLength = null) =>
        File(Encoding.UTF8.GetBytes(header), data, declaredLength);

    private static byte[] File(byte[] json, byte[]? data = null, ulong? declaredLength = null)
    {
        var bytes = new byte[8 + json.Length + (data?.Length ?? 0)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data?.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    private static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    public static TheoryData<string, string> Cases => new()
    {
        { "empty", "file is empty" },
        { "too-short", "too short for the 8-byte header length" },
        { "header-huge", "exceeds the 100000000-byte limit" },
        { "header-past-end", "larger than the" },
        { "header-tiny", "too small for JSON" },
        { "not-json", "not valid JSON" },
        { "bad-utf8", "header is not valid UTF-8" },
        { "json-array", "not an object" },
        { "entry-not-object", "tensor 'a': entry is a Number" },
        { "no-dtype", "tensor 'a': missing or non-string dtype" },
        { "unsupported-dtype", "tensor 'a': unsupported dtype 'C64'" },
        { "shape-negative", "tensor 'a': shape holds -2, not a non-negative integer" },
        { "shape-float", "tensor 'a': shape holds 2.5" },
        { "offsets-one", "tensor 'a': data_offsets has 1 values, expected 2" },
        { "offsets-backwards", "tensor 'a': data_offsets [8, 0] run backwards" },
        { "bytecount-mismatch", "tensor 'a': byte count mismatch: data_offsets cover 8 bytes but dtype F32 with shape [3] needs 12" },
        { "overlap", "tensors 'a' and 'b' overlap in the data section" },
        { "out-of-range", "tensor 'b': data_offsets [8, 16] are out of range of the 12-byte data section" },
        { "gap", "gap of 4 bytes in the data section before tensor 'b'" },
        { "trailing", "4 unexpected bytes after the last tensor's data" },
        { "duplicate", "duplicate key 'a'" },
        { "metadata-number", "__metadata__ value for 'k' is not a string" },
        { "shape-overflow", "overflows" },
        { "deep-json", "not valid JSON" },
    };

    private static byte[] Make(string name) => name switch
    {
        "empty" => Array.Empty<byte>(),
        "too-short" => new byte[] { 1, 2, 3, 4, 5 },
        "header-huge" => File("{}", declaredLength: 200_000_000),
        "header-past-end" => File("{}", new byte[10], declaredLength: 1000),
        "header-tiny" => File("{", new byte[4], declaredLength: 1),
        "not-json" => File("this is not json"),
        "bad-utf8" => File(Encoding.UTF8.GetBytes("{\"a\":\"").Concat(new byte[] { 0xff, 0xfe, (byte)'"', (byte)'}' }).ToArray()),
        "json-array" => File("[1,2]"),
        "entry-not-object" => File("{\"a\":3}"),
        "no-dtype" => File("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
        "unsupported-dtype" => File("{" + Entry("a", "C64", "[1]", 0, 8) + "}", new byte[8]),
        "shape-negative" => File("{" + Entry("a", "F32", "[-2]", 0, 8) + "}", new byte[8]),
        "shape-float" => File("{" + Entry("a", "F32", "[2.5]", 0, 8) + "}", new byte[8]),
        "offsets-one" => File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", new byte[4]),
        "offsets-backwards" => File("{" + Entry("a", "F32", "[2]", 8, 0) + "}", new byte[8]),
        "bytecount-mismatch" => File("{" + Entry("a", "F32", "[3]", 0, 8) + "}", new byte[8]),
        "overlap" => File("{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[2]", 4, 12) + "}", new byte[12]),
        "out-of-range" => File("{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[2]", 8, 16) + "}", new byte[12]),
        "gap" => File("{" + Entry("a", "F32", "[1]", 0, 4) + "," + Entry("b", "F32", "[1]", 8, 12) + "}", new byte[12]),
        "trailing" => File("{" + Entry("a", "F32", "[2]", 0, 8) + "}", new byte[12]),
        "duplicate" => File("{" + Entry("a", "F32", "[1]", 0, 4) + "," + Entry("a", "F32", "[1]", 4, 8) + "}", new byte[8]),
        "metadata-number" => File("{\"__metadata__\":{\"k\":1}}"),
        "shape-overflow" => File("{" + Entry("a", "F64", "[4294967296,4294967296]", 0, 8) + "}", new byte[8]),
        "deep-json" => File("{\"a\":" + new string('[', 50) + new string(']', 50) + "}"),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void CorruptFileIsRefusedWithAMessageNamingTheProblem(string name, string expectedMessage)
    {
        using var folder = new TempDir();
        var path = folder.Write(name + ".safetensors", Make(name));
        var e = Assert.Throws<CheckpointFormatException>(() => Safetensors.Read(path));
        Assert.True(e.Message.Contains(expectedMessage), e.Message);
        Assert.StartsWith(path, e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void EveryTruncationOfAValidFileIsRefused()
    {
        var valid = System.IO.File.ReadAllBytes(FixtureExpectations.Path("tensors.safetensors"));
        using var folder = new TempDir();
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(valid);
        var cuts = new long[] { 0, 3, 8, 9, headerLength / 2, 8 + headerLength, 8 + headerLength + 5, valid.Length - 1 };
        foreach (var cut in cuts)
        {
            var path = folder.Write($"cut{cut}.safetensors", valid[..(int)cut]);
            var e = Assert.Throws<CheckpointFormatException>(() => Safetensors.Read(path));
            Assert.Matches("empty|too short|larger than the|out of range|truncated", e.Message);
        }
    }

    [Fact]
    public void RandomBytesAreRefused()
    {
        var random = new Random(7);
        using var folder = new TempDir();
        for (int i = 0; i < 20; i++)
        {
            var bytes = new byte[random.Next(1, 4096)];
            random.NextBytes(bytes);
            var path = folder.Write($"random{i}.safetensors", bytes);
            Assert.Throws<CheckpointFormatException>(() => Safetensors.Read(path));
        }
    }
}
