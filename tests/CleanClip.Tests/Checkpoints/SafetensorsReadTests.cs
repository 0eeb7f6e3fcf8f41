using CleanClip.Checkpoints;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Checkpoints;

public class SafetensorsReadTests
{
    private const string Fixture = "tensors.safetensors";

    [Fact]
    public void PythonWrittenFileLoadsEveryDtypeExactly()
    {
        var expected = FixtureExpectations.For(Fixture).GetProperty("tensors");
        var tensors = Safetensors.Read(FixtureExpectations.Path(Fixture));
        try
        {
            var names = FixtureExpectations.Tensors(expected).Select(t => t.Name).ToList();
            // The Python writer laid the data out in its dict order, which is the file order Read returns.
            Assert.Equal(names, tensors.Keys.ToList());
            foreach (var (name, e) in FixtureExpectations.Tensors(expected))
                FixtureExpectations.AssertTensor(e, tensors[name], name);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    [Fact]
    public void MetadataIsReadWithoutTensors()
    {
        var metadata = Safetensors.ReadMetadata(FixtureExpectations.Path(Fixture));
        Assert.Equal("pt", metadata["format"]);
        Assert.Equal("fixture ü", metadata["note"]);
        Assert.Equal(2, metadata.Count);
    }

    [Fact]
    public void MissingFileIsFileNotFoundNamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-dir-cleanclip", "x.safetensors");
        var e = Assert.Throws<FileNotFoundException>(() => Safetensors.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void DirectoryIsAFormatError()
    {
        using var folder = new TempDir();
        var e = Assert.Throws<CheckpointFormatException>(() => Safetensors.Read(folder.Path));
        Assert.Contains("is a directory", e.Message);
    }
}
