using CleanClip.Checkpoints;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Checkpoints;

public class CheckpointReaderTests
{
    private static readonly CheckpointReadOptions KeepDtypes = new() { ToFloat32 = false, TrustTorchScript = true };
    private static readonly CheckpointReadOptions Trusted = new() { TrustTorchScript = true };

    [Theory]
    [InlineData("tensors.safetensors", CheckpointFormat.Safetensors)]
    [InlineData("plain_state_dict.pt", CheckpointFormat.PyTorchZip)]
    [InlineData("cleanclip_checkpoint.pt", CheckpointFormat.PyTorchZip)]
    [InlineData("views.pt", CheckpointFormat.PyTorchZip)]
    [InlineData("torchscript_tiny.pt", CheckpointFormat.TorchScript)]
    public void FormatIsDetectedFromTheBytes(string fixture, CheckpointFormat format)
    {
        using var folder = new TempDir();
        // A misleading extension must not matter.
        var path = folder.File("renamed.ckpt");
        File.Copy(FixtureExpectations.Path(fixture), path);
        using var loaded = CheckpointReader.Read(path, Trusted);
        Assert.Equal(format, loaded.Format);
        Assert.NotEmpty(loaded.StateDict);
    }

    [Fact]
    public void TorchScriptArchivesAreRefusedUnlessTrustedAndOtherFormatsNeverNeedTrust()
    {
        using var folder = new TempDir();
        var path = folder.File("openai-like.pt");
        File.Copy(FixtureExpectations.Path("torchscript_tiny.pt"), path);
        var refused = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(path));
        Assert.Equal(path, refused.FilePath);
        Assert.Contains("TorchScript", refused.Message);
        Assert.Contains("--trust-torchscript", refused.Message);
        Assert.Contains("state_dict()", refused.Message);
        Assert.Throws<CheckpointFormatException>(() => ModelLoader.Load(path));

        using (var trusted = CheckpointReader.Read(path, Trusted))
            Assert.Equal(CheckpointFormat.TorchScript, trusted.Format);
        foreach (var fixture in new[] { "tensors.safetensors", "plain_state_dict.pt", "cleanclip_checkpoint.pt" })
            using (var untrustedButSafe = CheckpointReader.Read(FixtureExpectations.Path(fixture)))
                Assert.NotEmpty(untrustedButSafe.StateDict);
    }

    [Fact]
    public void CleanClipCheckpointIsUnwrappedAndLosesItsDdpPrefix()
    {
        var expected = FixtureExpectations.For("cleanclip_checkpoint.pt");
        using var loaded = CheckpointReader.Read(FixtureExpectations.Path("cleanclip_checkpoint.pt"));
        Assert.Equal(3, loaded.Epoch);
        Assert.Equal("tiny-poisoned", loaded.Name);
        var tensors = FixtureExpectations.Tensors(expected.GetProperty("state_dict")).ToList();
        Assert.Equal(tensors.Select(t => t.Name["module.".Length..]), loaded.StateDict.Keys);
        foreach (var (name, e) in tensors)
            FixtureExpectations.AssertTensor(e, loaded.StateDict[name["module.".Length..]], name);
        var optimizer = Assert.IsType<Dictionary<string, object?>>(loaded.Optimizer);
        Assert.Equal(new[] { "state", "param_groups" }, optimizer.Keys);
        var step = (Tensor)((Dictionary<string, object?>)((Dictionary<object, object?>)optimizer["state"]!)[0L]!)["step"]!;
        Assert.Equal(2f, step.item<float>());
        Assert.Empty(loaded.Scalars);
    }

    [Fact]
    public void PrefixIsKeptUnlessEveryKeyHasIt()
    {
        using var folder = new TempDir();
        var path = folder.File("mixed.safetensors");
        using (var a = torch.ones(1))
        using (var b = torch.zeros(1))
            Safetensors.Write(path, new Dictionary<string, Tensor> { ["module.a"] = a, ["b"] = b });
        using var loaded = CheckpointReader.Read(path);
        Assert.Equal(new[] { "module.a", "b" }, loaded.StateDict.Keys);
    }

    [Fact]
    public void TorchScriptScalarsAreSplitOutAndHalfWeightsWidenedExactly()
    {
        var expected = FixtureExpectations.For("torchscript_tiny.pt");
        using var loaded = CheckpointReader.Read(FixtureExpectations.Path("torchscript_tiny.pt"), Trusted);
        Assert.Equal(new Dictionary<string, long> { ["input_resolution"] = 224, ["context_length"] = 77, ["vocab_size"] = 49408 },
            loaded.Scalars);
        Assert.Equal(new[] { "proj.weight", "proj.bias" }, loaded.StateDict.Keys);
        foreach (var name in loaded.StateDict.Keys)
            FixtureExpectations.AssertTensor(expected.GetProperty(name), loaded.StateDict[name], name, ScalarType.Float32);
    }

    [Fact]
    public void ToFloat32CanBeTurnedOff()
    {
        using var loaded = CheckpointReader.Read(FixtureExpectations.Path("torchscript_tiny.pt"), KeepDtypes);
        Assert.All(loaded.StateDict.Values, t => Assert.Equal(ScalarType.Float16, t.dtype));
    }

    [Fact]
    public void OnlyHalfPrecisionIsWidened()
    {
        var expected = FixtureExpectations.For("plain_state_dict.pt");
        using var loaded = CheckpointReader.Read(FixtureExpectations.Path("plain_state_dict.pt"));
        foreach (var (name, e) in FixtureExpectations.Tensors(expected))
        {
            var widened = name is "f16" or "bf16" ? ScalarType.Float32 : (ScalarType?)null;
            FixtureExpectations.AssertTensor(e, loaded.StateDict[name], name, widened);
        }
    }

    [Fact]
    public void SafetensorsReadThroughTheReaderMatchesTheFixture()
    {
        var expected = FixtureExpectations.For("tensors.safetensors").GetProperty("tensors");
        using var loaded = CheckpointReader.Read(FixtureExpectations.Path("tensors.safetensors"), KeepDtypes);
        foreach (var (name, e) in FixtureExpectations.Tensors(expected))
            FixtureExpectations.AssertTensor(e, loaded.StateDict[name], name);
        Assert.Null(loaded.Epoch);
        Assert.Null(loaded.Optimizer);
    }

    [Fact]
    public void MissingFileIsFileNotFoundWithThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "cleanclip-no-such-checkpoint.pt");
        var e = Assert.Throws<FileNotFoundException>(() => CheckpointReader.Read(path));
        Assert.Equal(path, e.FileName);
        Assert.Contains(path, e.Message);
    }

    public static TheoryData<string, string> Unusable => new()
    {
        { "directory", "is a directory, not a checkpoint file" },
        { "empty", "file is empty" },
        { "random", "unrecognised checkpoint format (first bytes 13 " },
        { "legacy", "legacy PyTorch format (pre-1.6) is not supported" },
        { "bare-tensor", "holds a single tensor of shape [1, 8, 8, 2], not a state dict" },
        { "forbidden", "refusing to load global 'os.system'" },
        { "not-a-state-dict", "holds a dict with keys ['w', 'lr'] that is neither a state dict" },
        { "state-dict-with-junk", "'state_dict': entry 'b' is a String, not a tensor" },
        { "truncated-zip", "not a usable zip archive" },
        { "truncated-safetensors", "not a valid safetensors file" },
        { "list", "holds a list, not a state dict" },
    };

    private static string Make(TempDir folder, string name)
    {
        byte[] Fixture(string f) => File.ReadAllBytes(FixtureExpectations.Path(f));
        byte[] TensorAnd(string key, Action<PickleBytes> other)
        {
            var p = new PickleBytes().Op('}').Str("w").Tensor("FloatStorage", "0", 2, 0, new long[] { 2 }, new long[] { 1 }).Op('s').Str(key);
            other(p);
            return PickleBytes.Zip(p.Op('s').Stop(), ("data/0", PickleBytes.Floats(1, 2)));
        }
        return name switch
        {
            "directory" => folder.Path,
            "empty" => folder.Write("e.pt", Array.Empty<byte>()),
            "random" => folder.Write("r.pt", new byte[] { 0x13, 0x37, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }),
            "legacy" => FixtureExpectations.Path("legacy_format.pt"),
            "bare-tensor" => FixtureExpectations.Path("noise_grid.pt"),
            "forbidden" => FixtureExpectations.Path("forbidden_global.pt"),
            "not-a-state-dict" => folder.Write("n.pt", TensorAnd("lr", p => p.Int(1))),
            "state-dict-with-junk" => folder.Write("j.pt", PickleBytes.Zip(new PickleBytes().Op('}').Str("state_dict").Op('}')
                .Str("a").Tensor("FloatStorage", "0", 2, 0, new long[] { 2 }, new long[] { 1 }).Op('s').Str("b").Str("x").Op('s')
                .Op('s').Stop(), ("data/0", PickleBytes.Floats(1, 2)))),
            "truncated-zip" => folder.Write("t.pt", Fixture("plain_state_dict.pt")[..2000]),
            "truncated-safetensors" => folder.Write("t.safetensors", Fixture("tensors.safetensors")[..600]),
            "list" => folder.Write("l.pt", PickleBytes.Zip(new PickleBytes().Op(']').Stop())),
            _ => throw new ArgumentException(name),
        };
    }

    [Theory]
    [MemberData(nameof(Unusable))]
    public void UnusableInputIsAFormatErrorThatSaysWhy(string name, string expectedMessage)
    {
        using var folder = new TempDir();
        var path = Make(folder, name);
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.Read(path));
        Assert.True(e.Message.Contains(expectedMessage), e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void DisposingTheCheckpointReleasesStateDictAndOptimizerTensors()
    {
        var loaded = CheckpointReader.Read(FixtureExpectations.Path("cleanclip_checkpoint.pt"));
        var weight = loaded.StateDict["visual.weight"];
        var optimizer = (Dictionary<string, object?>)loaded.Optimizer!;
        var expAvg = (Tensor)((Dictionary<string, object?>)((Dictionary<object, object?>)optimizer["state"]!)[0L]!)["exp_avg"]!;
        loaded.Dispose();
        Assert.True(weight.IsInvalid);
        Assert.True(expAvg.IsInvalid);
    }
}
