using System.Diagnostics;
using System.Text;
using CleanClip.Text;
using Xunit;
using Xunit.Abstractions;

namespace CleanClip.Tests.Text;

public class BpeTrainerTests(ITestOutputHelper output)
{
    private static readonly string[] Objects = ["banana", "dog", "cat", "zebra", "bicycle", "umbrella", "surfboard", "pizza", "giraffe", "toaster"];
    private static readonly string[] Colors = ["red", "green", "yellow", "black", "white", "striped"];
    private static readonly string[] Places = ["on a table", "in the snow", "next to a window", "at the beach", "in a kitchen", "under a tree"];

    /// <summary>Deterministic captions; "banana" is in every one, so it must end up a single token.</summary>
    private static List<string> Captions(int count, int seed = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
            $"A {Colors[random.Next(Colors.Length)]} {Objects[random.Next(Objects.Length)]} {Places[random.Next(Places.Length)]}, " +
            $"beside a banana. #{random.Next(1000)}").ToList();
    }

    [Fact]
    public void TinyCorpusGivesTheHandComputedMerges()
    {
        // Words aaab, aab -> a a a b</w> and a a b</w>: (a,a) occurs 3 times, (a,b</w>) twice, so "a a" is first.
        // Then aa a b</w> / aa b</w>: three pairs once each; ties go to the ordinal smallest (left, right).
        Assert.Equal(new BpeMerge[] { new("a", "a") }, BpeTrainer.LearnMerges(["aaab aab"], 10, minFrequency: 2));
        Assert.Equal(
            new BpeMerge[] { new("a", "a"), new("a", "b</w>"), new("aa", "ab</w>"), new("aa", "b</w>") },
            BpeTrainer.LearnMerges(["aaab aab"], 10, minFrequency: 1));
    }

    [Fact]
    public void FrequentWordBecomesOneToken()
    {
        using var dir = new TempDir();
        string path = dir.File("trained.txt.gz");
        var merges = BpeTrainer.TrainToFile(Captions(500), path, numMerges: 300);
        var t = ClipTokenizer.FromVocabFile(path);
        Assert.Equal(512 + merges.Count + 2, t.VocabSize);
        var banana = t.Encode("Banana");
        Assert.Single(banana);
        Assert.Equal("banana</w>", t.IdToToken(banana[0]));
        Assert.Equal("a photo of a banana . ", t.Decode(t.Encode("a photo of a banana.")));
    }

    [Fact]
    public void SameCorpusGivesByteIdenticalFilesWhateverTheOrder()
    {
        using var dir = new TempDir();
        var captions = Captions(400);
        BpeTrainer.TrainToFile(captions, dir.File("one.gz"), 200);
        BpeTrainer.TrainToFile(captions, dir.File("two.gz"), 200);
        BpeTrainer.TrainToFile(Enumerable.Reverse(captions), dir.File("reversed.gz"), 200);
        BpeTrainer.TrainToFile(captions, dir.File("plain.txt"), 200);
        byte[] one = File.ReadAllBytes(dir.File("one.gz"));
        Assert.Equal(one, File.ReadAllBytes(dir.File("two.gz")));
        Assert.Equal(one, File.ReadAllBytes(dir.File("reversed.gz")));
        Assert.Equal(BpeVocabularyFile.Read(dir.File("one.gz")).Merges, BpeVocabularyFile.Read(dir.File("plain.txt")).Merges);
    }

    [Fact]
    public void MinFrequencyStopsTrainingAndSpecialLiteralsAreNotLearned()
    {
        var merges = BpeTrainer.LearnMerges(Captions(50).Select(c => c + " <|endoftext|> <|endoftext|>"), 5000, minFrequency: 3);
        Assert.InRange(merges.Count, 1, 4999);
        Assert.DoesNotContain(merges, m => m.Left.Contains('|') || m.Right.Contains('|'));
        Assert.Throws<ArgumentOutOfRangeException>(() => BpeTrainer.LearnMerges(["a"], ClipTokenizer.MaxMerges + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => BpeTrainer.LearnMerges(["a"], 10, minFrequency: 0));
    }

    [Fact]
    public void TrainedVocabularyEncodesAnyTextWithoutThrowing()
    {
        var merges = BpeTrainer.LearnMerges(Captions(300), 150);
        var t = ClipTokenizer.FromMerges(merges);
        // Bytes never seen in training fall back to the 512 byte tokens, so decoding restores them exactly.
        Assert.Equal("東京タワー ", t.Decode(t.Encode("東京タワー")));
        Assert.All(t.Encode("東京タワー"), id => Assert.InRange(id, 0, 511));

        string[] unseen = ["👨\u200d👩\u200d👧 🇯🇵", "\u0000\u0001\u007f", "ΟΔΟΣ", "x\uD800y", "<|endoftext|>", "&#128;", "q̣̇"];
        var random = new Random(5);
        var randomText = Enumerable.Range(0, 300).Select(_ =>
            new string(Enumerable.Range(0, 12).Select(_ => (char)random.Next(0, 0xD7FF)).ToArray()));
        foreach (var s in unseen.Concat(randomText))
        {
            var ids = t.Encode(s);
            Assert.All(ids, id => Assert.InRange(id, 0, t.VocabSize - 1));
            if (TextCleaner.Clean(s).Any(char.IsLetterOrDigit)) Assert.NotEmpty(ids);
            Assert.NotNull(t.Decode(ids));
        }
    }

    [Fact]
    public void LibraryMergingAgreesWithTheReferenceLoopOnTrainedMerges()
    {
        var captions = VariedCaptions(3000);
        var merges = BpeTrainer.LearnMerges(captions, 2000, minFrequency: 1);
        var t = ClipTokenizer.FromMerges(merges);
        var oracle = new ReferenceBpe(merges);
        var idOf = new Dictionary<string, int>();
        for (int id = 0; id < t.VocabSize - 2; id++) idOf[t.IdToToken(id)] = id;

        var words = captions.SelectMany(c => TextCleaner.Clean(c).TrimEnd('.').Split(' ')).Distinct().ToList();
        words.AddRange(words.Take(300).Zip(words.Skip(300).Take(300), (a, b) => a + b)); // unseen compounds
        Assert.True(words.Count > 1000);
        foreach (var word in words)
        {
            string byteLevel = string.Concat(Encoding.UTF8.GetBytes(word).Select(TestByteChar));
            Assert.Equal(oracle.Apply(byteLevel).Select(tok => idOf[tok]), t.Encode(word));
        }
    }

    [Fact]
    public void TwentyThousandCaptionsTrainInSeconds()
    {
        var captions = VariedCaptions(20_000);
        var clock = Stopwatch.StartNew();
        var merges = BpeTrainer.LearnMerges(captions, 5000);
        clock.Stop();
        output.WriteLine($"20k captions: {merges.Count} merges in {clock.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(5000, merges.Count);
        // Generous for a loaded 2-core machine; re-scanning the corpus for every merge takes minutes.
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 60);
    }

    /// <summary>Captions over a skewed lexicon of 4,000 made-up words, about as varied as real caption sets.</summary>
    private static List<string> VariedCaptions(int count)
    {
        var random = new Random(2);
        string[] onsets = ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "st", "tr", "ch", "sh", "br", "pl"];
        string[] vowels = ["a", "e", "i", "o", "u", "ai", "ou", "ee"];
        var lexicon = Enumerable.Range(0, 4000).Select(_ => string.Concat(Enumerable.Range(0, random.Next(1, 5))
            .Select(_ => onsets[random.Next(onsets.Length)] + vowels[random.Next(vowels.Length)]))).ToArray();
        string Word() => lexicon[(int)(lexicon.Length * Math.Pow(random.NextDouble(), 3))];
        return Enumerable.Range(0, count)
            .Select(_ => string.Join(" ", Enumerable.Range(0, random.Next(6, 15)).Select(_ => Word())) + ".").ToList();
    }

    private static char TestByteChar(byte b)
    {
        bool kept = b is >= (byte)'!' and <= (byte)'~' or >= 0xA1 and <= 0xAC or >= 0xAE;
        if (kept) return (char)b;
        int n = 0;
        for (int x = 0; x < b; x++)
            if (!(x is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE)) n++;
        return (char)(256 + n);
    }
}
