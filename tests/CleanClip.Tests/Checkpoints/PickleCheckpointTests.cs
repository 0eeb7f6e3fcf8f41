using CleanClip.Checkpoints;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Checkpoints;

public class PickleCheckpointTests
{
    private static Dictionary<string, object?> LoadDict(string fixture) =>
        Assert.IsType<Dictionary<string, object?>>(PickleCheckpoint.Load(FixtureExpectations.Path(fixture)));

    private static void DisposeTensors(object? graph)
    {
        switch (graph)
        {
            case Tensor t: t.Dispose(); break;
            case System.Collections.IDictionary d: foreach (var v in d.Values) DisposeTensors(v); break;
            case System.Collections.IEnumerable e and not string: foreach (var v in e) DisposeTensors(v); break;
        }
    }

    [Fact]
    public void PlainStateDictLoadsEveryStorageTypeExactlyInFileOrder()
    {
        var expected = FixtureExpectations.For("plain_state_dict.pt");
        var dict = LoadDict("plain_state_dict.pt");
        try
        {
            Assert.Equal(FixtureExpectations.Tensors(expected).Select(t => t.Name), dict.Keys);
            foreach (var (name, e) in FixtureExpectations.Tensors(expected))
                FixtureExpectations.AssertTensor(e, Assert.IsType<Tensor>(dict[name]), name);
            Assert.False(((Tensor)dict["param"]!).requires_grad);
        }
        finally
        {
            DisposeTensors(dict);
        }
    }

    [Fact]
    public void CleanClipCheckpointKeepsEpochNameStateDictAndAdamWState()
    {
        var expected = FixtureExpectations.For("cleanclip_checkpoint.pt");
        var top = LoadDict("cleanclip_checkpoint.pt");
        try
        {
            Assert.Equal(new[] { "epoch", "name", "state_dict", "optimizer" }, top.Keys);
            Assert.Equal(3L, top["epoch"]);
            Assert.Equal("tiny-poisoned", top["name"]);
            var stateDict = Assert.IsType<Dictionary<string, object?>>(top["state_dict"]);
            var sdExpected = expected.GetProperty("state_dict");
            Assert.Equal(FixtureExpectations.Tensors(sdExpected).Select(t => t.Name), stateDict.Keys);
            foreach (var (name, e) in FixtureExpectations.Tensors(sdExpected))
                FixtureExpectations.AssertTensor(e, (Tensor)stateDict[name]!, name);

            var optimizer = Assert.IsType<Dictionary<string, object?>>(top["optimizer"]);
            var state = Assert.IsType<Dictionary<object, object?>>(optimizer["state"]);
            var stateExpected = expected.GetProperty("optimizer").GetProperty("state");
            Assert.Equal(stateExpected.EnumerateObject().Select(p => long.Parse(p.Name)), state.Keys.Cast<long>());
            foreach (var p in stateExpected.EnumerateObject())
            {
                var s = Assert.IsType<Dictionary<string, object?>>(state[long.Parse(p.Name)]);
                foreach (var (name, e) in FixtureExpectations.Tensors(p.Value))
                    FixtureExpectations.AssertTensor(e, (Tensor)s[name]!, $"state[{p.Name}].{name}");
            }

            var groups = Assert.IsType<List<object?>>(optimizer["param_groups"]);
            var groupsExpected = expected.GetProperty("optimizer").GetProperty("param_groups").EnumerateArray().ToList();
            Assert.Equal(groupsExpected.Count, groups.Count);
            for (int i = 0; i < groups.Count; i++)
            {
                var g = Assert.IsType<Dictionary<string, object?>>(groups[i]);
                var ge = groupsExpected[i];
                Assert.Equal(ge.GetProperty("lr").GetDouble(), g["lr"]);
                Assert.Equal(ge.GetProperty("weight_decay").GetDouble(), g["weight_decay"]);
                Assert.Equal(ge.GetProperty("eps").GetDouble(), g["eps"]);
                Assert.Equal(false, g["amsgrad"]);
                Assert.Null(g["foreach"]);
                var betas = Assert.IsType<object?[]>(g["betas"]);
                Assert.Equal(ge.GetProperty("betas").EnumerateArray().Select(b => (object?)b.GetDouble()), betas);
                Assert.Equal(ge.GetProperty("params").EnumerateArray().Select(x => (object?)x.GetInt64()),
                    Assert.IsType<List<object?>>(g["params"]));
            }
        }
        finally
        {
            DisposeTensors(top);
        }
    }

    [Fact]
    public void PermutedNoiseGridComesOutWithItsLogicalLayout()
    {
        var expected = FixtureExpectations.For("noise_grid.pt");
        Assert.Equal(new long[] { 128, 8, 1, 64 }, expected.GetProperty("stride").EnumerateArray().Select(e => e.GetInt64()));
        using var grid = Assert.IsType<Tensor>(PickleCheckpoint.Load(FixtureExpectations.Path("noise_grid.pt")));
        FixtureExpectations.AssertTensor(expected, grid, "grid");
        Assert.True(grid.is_contiguous());
    }

    [Fact]
    public void SlicesTransposesStepsAndOffsetScalarsKeepTheirValues()
    {
        var expected = FixtureExpectations.For("views.pt");
        var dict = LoadDict("views.pt");
        try
        {
            foreach (var (name, e) in FixtureExpectations.Tensors(expected))
                FixtureExpectations.AssertTensor(e, (Tensor)dict[name]!, name);
            Assert.Equal(4, expected.GetProperty("slice").GetProperty("storage_offset").GetInt64());
            // A slice is copied out of its storage: writing to the base must not change it.
            var slice = (Tensor)dict["slice"]!;
            var before = FixtureExpectations.Doubles(slice);
            ((Tensor)dict["base"]!).fill_(-1);
            Assert.Equal(before, FixtureExpectations.Doubles(slice));
        }
        finally
        {
            DisposeTensors(dict);
        }
    }

    [Fact]
    public void ABinFileIsReadByContentNotName()
    {
        using var folder = new TempDir();
        var bin = folder.File("pytorch_model.bin");
        File.Copy(FixtureExpectations.Path("plain_state_dict.pt"), bin);
        var dict = Assert.IsType<Dictionary<string, object?>>(PickleCheckpoint.Load(bin));
        Assert.Equal(13, dict.Count);
        DisposeTensors(dict);
    }

    [Fact]
    public void ForbiddenGlobalFixtureIsRefusedByName()
    {
        var path = FixtureExpectations.Path("forbidden_global.pt");
        var e = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Load(path));
        Assert.Contains("refusing to load global 'os.system'", e.Message);
        Assert.Equal(path, e.FilePath);
    }

    public static TheoryData<string, byte[]> HostilePickles => new()
    {
        { "builtins.eval", new PickleBytes().Str("builtins").Str("eval").Op(0x93).Op('(').Str("1+1").Op('t').Op('R').Stop() },
        { "subprocess.Popen", new PickleBytes().Op('(').Str("ls").Raw("isubprocess\nPopen\n"u8.ToArray()).Stop() },
        { "numpy.core.multiarray._reconstruct", new PickleBytes().Global("numpy.core.multiarray", "_reconstruct").Op(')').Op('R').Stop() },
        { "torch.load", new PickleBytes().Global("torch", "load").Op(')').Op('R').Stop() },
        // After a valid tensor, so the refusal also has to release what was already built.
        { "posix.system", new PickleBytes().Op('}').Str("w").Tensor("FloatStorage", "0", 2, 0, new long[] { 2 }, new long[] { 1 })
            .Op('s').Str("x").Global("posix", "system").Op('s').Stop() },
    };

    [Theory]
    [MemberData(nameof(HostilePickles))]
    public void GlobalsOutsideTheAllowListAreRefusedWhateverTheOpcode(string global, byte[] pickle)
    {
        using var folder = new TempDir();
        var path = folder.Write("hostile.pt", PickleBytes.Zip(pickle, ("data/0", PickleBytes.Floats(1, 2))));
        var e = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Load(path));
        Assert.Contains($"refusing to load global '{global}'", e.Message);
    }

    [Fact]
    public void LegacyFormatGetsTheResaveAdvice()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Load(FixtureExpectations.Path("legacy_format.pt")));
        Assert.Contains("legacy PyTorch format (pre-1.6) is not supported; re-save with torch.save(..., _use_new_zipfile_serialization=True)", e.Message);
    }

    [Fact]
    public void TorchScriptArchiveIsPointedToItsReader()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => PickleCheckpoint.Load(FixtureExpectations.Path("torchscript_tiny.pt")));
        Assert.Contains("TorchScriptCheckpoint.ReadStateDict", e.Message);
    }

    [Fact]
    public void UntypedStorageWithRebuildV3TakesItsDtypeFromTheCall()
    {
        // torch ≥ 2 may save a tensor on a raw byte storage and pass the dtype to _rebuild_tensor_v3.
        var pickle = new PickleBytes().Global("torch._utils", "_rebuild_tensor_v3").Op('(')
            .Op('(').Str("storage").Global("torch", "UntypedStorage").Str("0").Str("cpu").Int(12).Op('t').Op('Q')
            .Int(1).Tuple(2).Tuple(1).Op(0x89).Global("collections", "OrderedDict").Op(')').Op('R')
            .Global("torch", "float32").Op('t').Op('R').Stop();
        using var folder = new TempDir();
        var path = folder.Write("v3.pt", PickleBytes.Zip(pickle, ("data/0", PickleBytes.Floats(1.5f, -2, 7))));
        using var t = Assert.IsType<Tensor>(PickleCheckpoint.Load(path));
        Assert.Equal(ScalarType.Float32, t.dtype);
        Assert.Equal(new[] { -2f, 7f }, t.data<float>().ToArray());
    }
}
