using CleanClip.Text;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Text;

public class ClipTokenizerTests
{
    private static readonly string LongCaption = string.Join(" ", Enumerable.Repeat("a red bus drives past the parked bicycles,", 12));

    [SkippableFact]
    public void OpenAiVocabularyHasClipSizeAndSpecialIds()
    {
        var t = OpenAiVocab.Tokenizer;
        Assert.Equal(49408, t.VocabSize); // the file holds 262,144 merges: only the first 48,894 are used
        Assert.Equal(49406, t.StartOfText);
        Assert.Equal(49407, t.EndOfText);
        Assert.Equal(77, t.ContextLength);
        Assert.Equal("<|startoftext|>", t.IdToToken(49406));
        Assert.Equal("!", t.IdToToken(0));
        Assert.Equal("!</w>", t.IdToToken(256));
        Assert.Equal(new[] { 49406, 320, 1125, 539, 320, 8922, 269, 49407 }, t.EncodeForModel("a photo of a banana.")[..8]);
    }

    [SkippableFact]
    public void LongCaptionKeepsEndOfTextInDefaultModeOnly()
    {
        var ids = OpenAiVocab.Tokenizer.Encode(LongCaption);
        Assert.True(ids.Length > 100);

        var keep = OpenAiVocab.Tokenizer.EncodeForModel(LongCaption);
        Assert.Equal(49406, keep[0]);
        Assert.Equal(49407, keep[76]);
        Assert.Equal(ids[..75], keep[1..76]);

        var reference = OpenAiVocab.With(TruncationMode.Reference).EncodeForModel(LongCaption);
        Assert.DoesNotContain(49407, reference);
        Assert.Equal(ids[..76], reference[1..]);
    }

    [SkippableFact]
    public void ContextBoundaryIsSeventyFiveTokens()
    {
        var t = OpenAiVocab.With(TruncationMode.Error);
        var fits = t.EncodeForModel(string.Concat(Enumerable.Repeat("a ", 75)));
        Assert.Equal(49407, fits[76]);
        Assert.All(fits[1..76], id => Assert.Equal(320, id));
        var e = Assert.Throws<ArgumentException>(() => t.EncodeForModel(string.Concat(Enumerable.Repeat("a ", 76))));
        Assert.Contains("78 tokens", e.Message);
        Assert.Contains("\"a a a a", e.Message);
    }

    [SkippableFact]
    public void TokenizePadsWithZerosAndMatchesTensor()
    {
        var t = OpenAiVocab.Tokenizer;
        var texts = new[] { "a photo of a dog", "", LongCaption };
        var rows = t.Tokenize(texts);
        Assert.Equal(new[] { 3, 77 }, new[] { rows.GetLength(0), rows.GetLength(1) });
        Assert.Equal(new long[] { 49406, 49407, 0, 0 }, Enumerable.Range(0, 4).Select(j => rows[1, j]));
        Assert.Equal(0, rows[0, 76]);
        Assert.Equal(49407, rows[2, 76]);

        using var tensor = t.TokenizeToTensor(texts);
        Assert.Equal(torch.ScalarType.Int64, tensor.dtype);
        Assert.Equal(new long[] { 3, 77 }, tensor.shape);
        Assert.Equal(rows.Cast<long>(), tensor.data<long>().ToArray());
    }

    [SkippableFact]
    public void DecodeInvertsEncodeOnCleanedAscii()
    {
        var t = OpenAiVocab.Tokenizer;
        foreach (var s in new[] { "a photo of a banana", "two dogs playing in the snow", "supercalifragilisticexpialidocious", "xqzj" })
            Assert.Equal(s + " ", t.Decode(t.Encode(s)));

        // Punctuation decodes as its own word; re-encoding the decoded text is stable for any printable ASCII.
        var random = new Random(7);
        for (int n = 0; n < 300; n++)
        {
            var s = new string(Enumerable.Range(0, random.Next(1, 40)).Select(_ => (char)random.Next(' ', '~' + 1)).ToArray());
            var ids = t.Encode(s);
            Assert.Equal(ids, t.Encode(t.Decode(ids)));
        }
    }

    [SkippableFact]
    public void ConcurrentCallersGetTheSequentialResult()
    {
        _ = OpenAiVocab.Tokenizer;
        var fresh = ClipTokenizer.FromVocabFile(TestPaths.VocabPath); // empty cache, so threads race on misses
        var random = new Random(3);
        string[] words = ["zebra", "café", "東京", "🍌", "o'neil", "x1y2", "&amp;", "pneumonia", "snowboarding", "ΣΟΦΙΑ"];
        var captions = Enumerable.Range(0, 2000)
            .Select(_ => string.Join(" ", Enumerable.Range(0, 8).Select(_ => words[random.Next(words.Length)] + random.Next(50)))).ToArray();
        var parallel = fresh.Tokenize(captions);
        var sequential = OpenAiVocab.Tokenizer;
        for (int i = 0; i < captions.Length; i++)
            Assert.Equal(sequential.EncodeForModel(captions[i]), Enumerable.Range(0, 77).Select(j => (int)parallel[i, j]));
    }

    [SkippableFact]
    public void SmallerContextAndBadIdsAreHandled()
    {
        _ = OpenAiVocab.Tokenizer;
        var t = ClipTokenizer.FromVocabFile(TestPaths.VocabPath, new TokenizerOptions { ContextLength = 4 });
        Assert.Equal(new[] { 49406, 320, 1125, 49407 }, t.EncodeForModel("a photo of a banana"));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Decode([49408]));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Decode([-1]));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ClipTokenizer.FromVocabFile(TestPaths.VocabPath, new TokenizerOptions { ContextLength = 1 }));
    }
}
