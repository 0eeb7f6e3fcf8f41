using System.Text;
using CleanClip.Training.Augmentation;
using Xunit;

namespace CleanClip.Tests.Training;

/// <summary>The WordNet reader on a small database in WordNet 3.0's file format, written here.</summary>
public class WordNetTests : IDisposable
{
    private readonly TempDir dir = new();

    public WordNetTests()
    {
        WritePart("noun",
            [("circle", ["circle", "round_shape"]), ("circle", ["circle", "band"]), ("mouse", ["mouse", "computer_mouse"]), ("banana", ["banana", "banana_tree"])],
            ["mice mouse"]);
        WritePart("verb", [("circle", ["circle", "go_around"])], []);
        WritePart("adj", [("plenty", ["galore(ip)", "plenty"])], []);
        WritePart("adv", [], []);
    }

    public void Dispose() => dir.Dispose();

    /// <summary>data.POS lines at known byte offsets, and index.POS lines listing each lemma's synset offsets.</summary>
    private void WritePart(string pos, (string Lemma, string[] Words)[] synsets, string[] exceptions)
    {
        var data = new StringBuilder("  1 This is a test database in WordNet 3.0 format.\n");
        var offsets = new Dictionary<string, List<long>>();
        foreach (var (lemma, words) in synsets)
        {
            long offset = Encoding.ASCII.GetByteCount(data.ToString());
            var members = string.Join(" ", words.Select(w => $"{w} 0"));
            data.Append($"{offset:D8} 03 {pos[0]} {words.Length:x2} {members} 000 | a gloss\n");
            foreach (var word in words.Select(w => w.Split('(')[0]))
                (offsets.TryGetValue(word, out var list) ? list : offsets[word] = []).Add(offset);
        }
        File.WriteAllText(dir.File($"data.{pos}"), data.ToString());
        File.WriteAllLines(dir.File($"index.{pos}"), new[] { "  1 This is a test database in WordNet 3.0 format." }
            .Concat(offsets.OrderBy(o => o.Key, StringComparer.Ordinal)
                .Select(o => $"{o.Key} {pos[0]} {o.Value.Count} 0 {o.Value.Count} 0 {string.Join(" ", o.Value)}")));
        File.WriteAllLines(dir.File($"{pos}.exc"), exceptions);
    }

    [Fact]
    public void SynonymsAreEveryLemmaOfEverySynsetAcrossPartsOfSpeech()
    {
        var wordnet = WordNet.Load(dir.Path);
        Assert.Equal(["band", "go around", "round shape"], wordnet.Synonyms("circle"));
        Assert.Equal(["banana tree"], wordnet.Synonyms("banana"));
        Assert.Equal(["galore"], wordnet.Synonyms("plenty"));                 // the adjective marker "(ip)" is dropped
        Assert.Empty(wordnet.Synonyms("triangle"));
    }

    [Fact]
    public void InflectedFormsAreReducedLikeNltksMorphy()
    {
        var wordnet = WordNet.Load(dir.Path);
        Assert.Equal(["band", "circle", "go around", "round shape"], wordnet.Synonyms("circles"));   // rule s → ""
        Assert.Equal(["computer mouse", "mouse"], wordnet.Synonyms("mice"));                        // exception list
        Assert.Equal(["circle", "go around"], wordnet.Synonyms("circling"));   // verb rule ing → e; no noun reads "circling"
    }

    [Fact]
    public void EdaWithWordNetReplacesSynonyms()
    {
        var eda = new Eda(WordNet.Load(dir.Path));
        var outputs = Enumerable.Range(0, 100).Select(s => eda.Augment("a banana on a table", (ulong)s)).ToHashSet();
        Assert.Contains("a banana tree on a table", outputs);
    }

    [Fact]
    public void AFolderWithoutWordNetFilesIsAClearError()
    {
        using var empty = new TempDir();
        var error = Assert.Throws<InvalidDataException>(() => WordNet.Load(empty.Path));
        Assert.Contains("WordNet", error.Message);
    }

    [SkippableFact]
    public void DebiansWordNetGivesSynonyms()
    {
        var folder = WordNet.Find();
        Skip.If(folder is null, "WordNet 3.0 is not installed (apt-get install wordnet-base)");
        var wordnet = WordNet.Load(folder!);
        Assert.Contains("round", wordnet.Synonyms("circle"));
        Assert.NotEmpty(wordnet.Synonyms("banana"));
    }
}
