using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CleanClip.Checkpoints;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Checkpoints;

public class SafetensorsWriteTests
{
    private static readonly ScalarType[] AllTypes =
    {
        ScalarType.Float64, ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16, ScalarType.Int64,
        ScalarType.Int32, ScalarType.Int16, ScalarType.Int8, ScalarType.Byte, ScalarType.Bool,
    };

    /// <summary>Random bits of every dtype (floats include NaN payloads and -0 by construction), plus 0-d, empty
    /// and non-contiguous tensors, in a deliberately unsorted order.</summary>
    private static Dictionary<string, Tensor> Sample()
    {
        var g = new torch.Generator(11);
        var tensors = new Dictionary<string, Tensor>();
        foreach (var type in AllTypes)
        {
            int size = TensorSizeOf(type);
            using var raw = torch.randint(0, 256, new long[] { 3 * 5 * size }, dtype: ScalarType.Byte, generator: g);
            var t = torch.empty(new long[] { 3, 5 }, type);
            if (type == ScalarType.Bool) t.bytes = (raw[..15] % 2).bytes;  // bool must hold 0/1
            else t.bytes = raw.bytes;
            tensors[$"z.{type}"] = t;
            tensors[$"scalar.{type}"] = torch.ones(Array.Empty<long>(), type);
            tensors[$"empty.{type}"] = torch.empty(new long[] { 0, 4 }, type);
        }
        tensors["a.transposed"] = torch.arange(12, dtype: ScalarType.Float32).reshape(3, 4).t();
        tensors["neg.zero"] = torch.tensor(new[] { -0.0f, float.NaN, float.PositiveInfinity });
        return tensors;
    }

    private static int TensorSizeOf(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    private static byte[] Bytes(Tensor t)
    {
        using var c = t.contiguous();
        return c.bytes.ToArray();
    }

    private static void DisposeAll(Dictionary<string, Tensor> tensors)
    {
        foreach (var t in tensors.Values) t.Dispose();
    }

    [Fact]
    public void RoundTripIsBitExactForEveryDtypeAndKeepsOrder()
    {
        using var folder = new TempDir();
        var path = folder.File("round.safetensors");
        var written = Sample();
        var read = new Dictionary<string, Tensor>();
        try
        {
            Safetensors.Write(path, written);
            read = Safetensors.Read(path);
            Assert.Equal(written.Keys.ToList(), read.Keys.ToList());
            foreach (var (name, t) in written)
            {
                Assert.Equal(t.dtype, read[name].dtype);
                Assert.Equal(t.shape, read[name].shape);
                Assert.True(Bytes(t).SequenceEqual(Bytes(read[name])), $"{name}: bytes differ after the round trip");
            }
            Assert.Equal(new float[] { 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11 }, read["a.transposed"].data<float>().ToArray());
        }
        finally
        {
            DisposeAll(written);
            DisposeAll(read);
        }
    }

    [Fact]
    public void HeaderIsPaddedJsonWithMetadataFirstAndContiguousOffsets()
    {
        using var folder = new TempDir();
        var path = folder.File("layout.safetensors");
        using var a = torch.ones(3, ScalarType.Float16);
        using var b = torch.zeros(2, 2, dtype: ScalarType.Int64);
        Safetensors.Write(path, new Dictionary<string, Tensor> { ["b"] = b, ["a"] = a },
            new Dictionary<string, string> { ["epoch"] = "3", ["note"] = "ü<>&" });

        var bytes = File.ReadAllBytes(path);
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        var json = header.TrimEnd(' ');
        Assert.EndsWith("}", json);
        Assert.InRange(header.Length - json.Length, 0, 7);
        Assert.Contains("\"ü<>&\"", header);  // written as UTF-8, not \u escapes
        using var doc = JsonDocument.Parse(header);
        Assert.Equal(new[] { "__metadata__", "b", "a" }, doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("[0,32]", doc.RootElement.GetProperty("b").GetProperty("data_offsets").GetRawText());
        Assert.Equal("[32,38]", doc.RootElement.GetProperty("a").GetProperty("data_offsets").GetRawText());
        Assert.Equal("\"F16\"", doc.RootElement.GetProperty("a").GetProperty("dtype").GetRawText());
        Assert.Equal(8 + n + 38, bytes.Length);
        Assert.Equal("ü<>&", Safetensors.ReadMetadata(path)["note"]);
    }

    [SkippableFact]
    public void PythonParsesTheWrittenFileIdentically()
    {
        const string python = "/usr/bin/python3";
        Skip.IfNot(File.Exists(python), "Debian python3 is not installed");
        using var folder = new TempDir();
        var path = folder.File("py.safetensors");
        var written = Sample();
        try
        {
            Safetensors.Write(path, written, new Dictionary<string, string> { ["k"] = "v" });
            var script = folder.File("check.py");
            File.WriteAllText(script, """
                import hashlib, json, struct, sys
                raw = open(sys.argv[1], "rb").read()
                (n,) = struct.unpack("<Q", raw[:8])
                header = json.loads(raw[8:8 + n].decode("utf-8"))
                data, pos, out = raw[8 + n:], 0, {}
                for name, e in header.items():
                    if name == "__metadata__":
                        continue
                    begin, end = e["data_offsets"]
                    assert begin == pos, (name, begin, pos)
                    pos = end
                    out[name] = [e["dtype"], e["shape"], hashlib.sha256(data[begin:end]).hexdigest()]
                assert pos == len(data) and n % 8 == 0
                print(json.dumps({"metadata": header["__metadata__"], "tensors": out}))
                """);
            var psi = new ProcessStartInfo(python, new[] { script, path }) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEnd();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            Assert.Equal("v", doc.RootElement.GetProperty("metadata").GetProperty("k").GetString());
            var seen = doc.RootElement.GetProperty("tensors").EnumerateObject().ToList();
            Assert.Equal(written.Keys, seen.Select(p => p.Name));
            foreach (var p in seen)
            {
                var t = written[p.Name];
                Assert.Equal(t.shape, p.Value[1].EnumerateArray().Select(d => d.GetInt64()).ToArray());
                Assert.Equal(Convert.ToHexString(SHA256.HashData(Bytes(t))).ToLowerInvariant(), p.Value[2].GetString());
            }
        }
        finally
        {
            DisposeAll(written);
        }
    }

    [Fact]
    public void UnsupportedDtypeIsRefusedBeforeTouchingTheExistingFile()
    {
        using var folder = new TempDir();
        var path = folder.File("keep.safetensors");
        using var good = torch.arange(4, dtype: ScalarType.Float32);
        Safetensors.Write(path, new Dictionary<string, Tensor> { ["good"] = good });
        var before = File.ReadAllBytes(path);

        using var complex = torch.zeros(2, dtype: ScalarType.ComplexFloat32);
        var e = Assert.Throws<ArgumentException>(() =>
            Safetensors.Write(path, new Dictionary<string, Tensor> { ["good"] = good, ["c"] = complex }));
        Assert.Contains("tensor 'c' has dtype ComplexFloat32", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void FailureMidwayLeavesThePreviousFileIntactAndNoTempFile()
    {
        using var folder = new TempDir();
        var path = folder.File("keep.safetensors");
        using var good = torch.arange(4, dtype: ScalarType.Float32);
        Safetensors.Write(path, new Dictionary<string, Tensor> { ["good"] = good });
        var before = File.ReadAllBytes(path);

        // A meta tensor has dtype and shape (the header is written) but no data: copying it out fails after the
        // first tensor's bytes are already in the temp file.
        using var meta = torch.empty(new long[] { 1000 }, ScalarType.Float32, new Device(DeviceType.META));
        Assert.ThrowsAny<Exception>(() =>
            Safetensors.Write(path, new Dictionary<string, Tensor> { ["good"] = good, ["meta"] = meta }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void AFileCanBeReadModifiedAndWrittenBackInPlace()
    {
        using var folder = new TempDir();
        var path = folder.File("inplace.safetensors");
        using (var t = torch.arange(6, dtype: ScalarType.Float32))
            Safetensors.Write(path, new Dictionary<string, Tensor> { ["w"] = t });
        var read = Safetensors.Read(path);
        read["w"].mul_(2);
        Safetensors.Write(path, read);
        DisposeAll(read);
        var again = Safetensors.Read(path);
        Assert.Equal(new float[] { 0, 2, 4, 6, 8, 10 }, again["w"].data<float>().ToArray());
        DisposeAll(again);
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void ReservedMetadataNameIsRefused()
    {
        using var folder = new TempDir();
        using var t = torch.ones(1);
        var e = Assert.Throws<ArgumentException>(() =>
            Safetensors.Write(folder.File("x.safetensors"), new Dictionary<string, Tensor> { ["__metadata__"] = t }));
        Assert.Contains("reserved", e.Message);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }
}
