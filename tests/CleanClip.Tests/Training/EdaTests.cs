using CleanClip.Training.Augmentation;
using Xunit;

namespace CleanClip.Tests.Training;

public class EdaTests
{
    private sealed class FixedSynonyms(Dictionary<string, string[]> table) : ISynonymSource
    {
        public IReadOnlyList<string> Synonyms(string word) => table.TryGetValue(word, out var s) ? s : [];
    }

    [Theory]
    [InlineData("A Photo of a Banana.", "a photo of a banana")]
    [InlineData("it's a well-known\tbrand, 2023!", "its a well known brand")]
    [InlineData("  Café ’24 — naïve  ", "caf na ve")]
    [InlineData("123 !!!", "")]
    public void CleaningKeepsOnlyLowerCaseLettersAndSingleSpaces(string input, string expected) =>
        Assert.Equal(expected, Eda.Clean(input));

    [Fact]
    public void SwapKeepsTheWordsAndMovesTwo()
    {
        var random = new SplitMix64(3);
        string[] words = ["a", "red", "circle", "on", "blue"];
        var swapped = Eda.RandomSwap(words, 1, ref random);
        Assert.Equal(words.Order(), swapped.Order());
        Assert.Equal(2, words.Zip(swapped).Count(p => p.First != p.Second));
        Assert.Equal(["solo"], Eda.RandomSwap(["solo"], 1, ref random));
    }

    [Fact]
    public void DeletionKeepsASubsequenceAndNeverEmpties()
    {
        var random = new SplitMix64(5);
        string[] words = Enumerable.Range(0, 200).Select(i => $"w{i}").ToArray();
        var kept = Eda.RandomDeletion(words, 0.1, ref random);
        Assert.InRange(kept.Length, 160, 195);                        // ~90% kept
        Assert.Equal(kept, words.Where(kept.Contains));               // order preserved
        var all = Eda.RandomDeletion(["x", "y"], 1.0, ref random);
        Assert.Single(all);
        Assert.Equal(["only"], Eda.RandomDeletion(["only"], 1.0, ref random));
    }

    [Fact]
    public void AugmentIsSeededAndSurvivesEmptyCaptions()
    {
        var eda = new Eda();
        Assert.False(eda.HasSynonyms);
        Assert.Equal("", eda.Augment("", 1));
        Assert.Equal("", eda.Augment("!!! 42", 1));
        const string caption = "there is a small red circle at the top left of a blue background";
        Assert.Equal(eda.Augment(caption, 7), eda.Augment(caption, 7));
        var outcomes = Enumerable.Range(0, 50).Select(s => eda.Augment(caption, (ulong)s)).Distinct().Count();
        Assert.True(outcomes > 10, $"only {outcomes} distinct augmentations over 50 seeds");
    }

    [Fact]
    public void SynonymsReplaceEveryOccurrenceButNeverStopWords()
    {
        var eda = new Eda(new FixedSynonyms(new() { ["circle"] = ["round shape"], ["the"] = ["thee"] }));
        var seen = Enumerable.Range(0, 200).Select(s => eda.Augment("the circle and the circle", (ulong)s)).ToHashSet();
        Assert.Contains("the round shape and the round shape", seen);   // SR: both occurrences, multi-word synonym split
        Assert.DoesNotContain("thee circle and thee circle", seen);      // "the" is a stop word: SR never replaces it
        Assert.Contains(seen, s => s.Split(' ').Length == 6);             // RI inserts one synonym (stop words allowed)
    }
}
