using System.IO.Compression;
using CleanClip.Checkpoints;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Checkpoints;

public class TorchScriptCheckpointTests
{
    private const string Fixture = "torchscript_tiny.pt";

    [Fact]
    public void TracedModuleGivesParametersAndScalarBuffersExactly()
    {
        var expected = FixtureExpectations.For(Fixture);
        var stateDict = TorchScriptCheckpoint.ReadStateDict(FixtureExpectations.Path(Fixture));
        try
        {
            Assert.Equal(new[] { "proj.weight", "proj.bias", "input_resolution", "context_length", "vocab_size" }, stateDict.Keys);
            foreach (var (name, e) in FixtureExpectations.Tensors(expected))
                FixtureExpectations.AssertTensor(e, stateDict[name], name);
            Assert.Equal(224L, stateDict["input_resolution"].item<long>());
            Assert.All(stateDict.Values, t => Assert.False(t.requires_grad));
        }
        finally
        {
            foreach (var t in stateDict.Values) t.Dispose();
        }
    }

    [Fact]
    public void TorchSaveArchiveIsNotMistakenForTorchScript()
    {
        var e = Assert.Throws<CheckpointFormatException>(() =>
            TorchScriptCheckpoint.ReadStateDict(FixtureExpectations.Path("plain_state_dict.pt")));
        Assert.Contains("not a TorchScript archive (no constants.pkl or code/ folder)", e.Message);
    }

    [Fact]
    public void NonZipInputNeverReachesJitLoad()
    {
        var e = Assert.Throws<CheckpointFormatException>(() =>
            TorchScriptCheckpoint.ReadStateDict(FixtureExpectations.Path("tensors.safetensors")));
        Assert.Contains("not a TorchScript archive (not a zip file)", e.Message);
    }

    /// <summary>The fixture re-zipped with one entry changed.</summary>
    private static byte[] Tampered(string suffix, Func<byte[], byte[]> change)
    {
        using var source = ZipFile.OpenRead(FixtureExpectations.Path(Fixture));
        return PickleBytes.ZipOf(source.Entries.Select(e =>
        {
            using var s = e.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            var data = m.ToArray();
            return (e.FullName, e.FullName.EndsWith(suffix) ? change(data) : data);
        }).ToArray());
    }

    [Fact]
    public void ShortStorageRecordIsCaughtBeforeLibTorchReadsPastIt()
    {
        using var folder = new TempDir();
        // LibTorch alone loads this file and reads two bytes past the record.
        var path = folder.Write("short.pt", Tampered("data/3", d => d[..^2]));
        var e = Assert.Throws<CheckpointFormatException>(() => TorchScriptCheckpoint.ReadStateDict(path));
        Assert.Contains("storage 'data/3' holds", e.Message);
    }

    [Fact]
    public void GarbageDataPklIsAFormatError()
    {
        using var folder = new TempDir();
        var path = folder.Write("garbage.pt", Tampered("data.pkl", _ => "\x80\x02garbage"u8.ToArray()));
        var e = Assert.Throws<CheckpointFormatException>(() => TorchScriptCheckpoint.ReadStateDict(path));
        Assert.Contains("unsupported pickle opcode", e.Message);
    }

    [Fact]
    public void CorruptedCodeIsCaughtByItsChecksumBeforeJitLoad()
    {
        // A flipped bit in a deflated code/ file: System.IO.Compression inflates it without complaint, and LibTorch
        // would abort the process compiling the damaged source.
        var raw = File.ReadAllBytes(FixtureExpectations.Path(Fixture));
        var (start, length) = EntryData(raw, "torchscript_tiny/code/__torch__.py");
        raw[start + length / 2] ^= 0x01;
        using var folder = new TempDir();
        var path = folder.Write("flipped.pt", raw);
        var e = Assert.Throws<CheckpointFormatException>(() => TorchScriptCheckpoint.ReadStateDict(path));
        Assert.Contains("zip entry 'torchscript_tiny/code/__torch__.py' is corrupt (CRC", e.Message);
    }

    /// <summary>Where an entry's stored bytes sit in the raw zip (local header: 30 bytes + name + extra).</summary>
    private static (int Start, int Length) EntryData(byte[] raw, string name)
    {
        using var zip = new ZipArchive(new MemoryStream(raw), ZipArchiveMode.Read);
        var entry = zip.GetEntry(name)!;
        var nameBytes = System.Text.Encoding.UTF8.GetBytes(name);
        for (int i = 0; i + 30 + nameBytes.Length <= raw.Length; i++)
        {
            if (raw[i] != 0x50 || raw[i + 1] != 0x4b || raw[i + 2] != 3 || raw[i + 3] != 4) continue;
            int n = BitConverter.ToUInt16(raw, i + 26), extra = BitConverter.ToUInt16(raw, i + 28);
            if (n == nameBytes.Length && raw.AsSpan(i + 30, n).SequenceEqual(nameBytes))
                return (i + 30 + n + extra, (int)entry.CompressedLength);
        }
        throw new InvalidOperationException($"{name} not found");
    }
}
