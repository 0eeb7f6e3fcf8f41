using System.IO.Compression;
using System.Text;
using CleanClip.Text;
using Xunit;

namespace CleanClip.Tests.Text;

public class BpeVocabularyFileTests
{
    private const string Hello = "#version: 0.2\nh e\nhe l\nhel l\nhell o</w>\n";

    [Fact]
    public void PlainAndGzipFilesLoadTheSameTokenizer()
    {
        using var dir = new TempDir();
        System.IO.File.WriteAllText(dir.File("plain.txt"), Hello);
        using (var gz = new GZipStream(System.IO.File.Create(dir.File("packed.txt.gz")), CompressionLevel.Optimal))
            gz.Write(Encoding.UTF8.GetBytes(Hello));

        foreach (var name in new[] { "plain.txt", "packed.txt.gz" })
        {
            var t = ClipTokenizer.FromVocabFile(dir.File(name));
            Assert.Equal(512 + 4 + 2, t.VocabSize);
            Assert.Equal(516, t.StartOfText);
            Assert.Equal(517, t.EndOfText);
            Assert.Equal(new[] { 515 }, t.Encode("Hello"));
            Assert.Equal("hello</w>", t.IdToToken(515));
            Assert.Equal("help ", t.Decode(t.Encode("help")));
        }
    }

    [Theory]
    [InlineData("h e\n", "line 1: expected a version header")]
    [InlineData("#version: 0.2\nh e\nhe\n", "line 3: expected a merge 'left right'")]
    [InlineData("#version: 0.2\nh  e\n", "line 2: expected a merge")]
    [InlineData("#version: 0.2\nh e\n\nhe l\n", "line 3: expected a merge")]
    [InlineData("#version: 0.2\nh e\nhe xl\n", "line 3: merge 'he xl' uses a symbol")]
    [InlineData("#version: 0.2\nh e\nhe l\nel o\n", "line 4: merge 'el o' uses a symbol")]
    [InlineData("#version: 0.2\nh e\nhe l\nh e\n", "line 4: merge 'h e' repeats line 2")]
    public void BadFilesNameTheFileAndLine(string content, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("bad.txt");
        System.IO.File.WriteAllText(path, content);
        var e = Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromVocabFile(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x1F, 0x8B, 1, 2, 3, 4, 5 })]
    [InlineData(new byte[] { (byte)'#', 0xC3, 0x28, (byte)'\n' })]
    public void UnreadableBytesAreInvalidData(byte[] content)
    {
        using var dir = new TempDir();
        string path = dir.File("broken.gz");
        System.IO.File.WriteAllBytes(path, content);
        var e = Assert.Throws<InvalidDataException>(() => ClipTokenizer.FromVocabFile(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void WriteIsAtomicAndRoundTrips()
    {
        using var dir = new TempDir();
        string path = dir.File("merges.txt.gz");
        var merges = new List<BpeMerge> { new("h", "e"), new("he", "l") };
        BpeVocabularyFile.Write(path, merges);
        var (header, read) = BpeVocabularyFile.Read(path);
        Assert.Equal(BpeVocabularyFile.DefaultHeader, header);
        Assert.Equal(merges, read);
        byte[] before = System.IO.File.ReadAllBytes(path);

        // A failure half-way through leaves the previous file intact and no temporary file behind.
        var broken = merges.Append(new BpeMerge("a b", "c"));
        Assert.Throws<ArgumentException>(() => BpeVocabularyFile.Write(path, broken));
        Assert.Equal(before, System.IO.File.ReadAllBytes(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(dir.Path));
    }
}
