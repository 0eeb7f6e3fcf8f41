using CleanClip.Text;
using CsCheck;
using Xunit;

namespace CleanClip.Tests.Text;

/// <summary>CsCheck properties over random strings (CsCheck prints the seed of any failure for replay).</summary>
public class TokenizerProperties
{
    private static readonly Lazy<ClipTokenizer> Tokenizer = new(() =>
    {
        using var dir = new TempDir();
        var path = dir.File("vocab.txt.gz");
        string[] words = ["a", "photo", "of", "the", "banana", "dog", "red", "on", "table", "in", "snow", "it's", "don't"];
        var random = new Random(3);
        BpeTrainer.TrainToFile(Enumerable.Range(0, 300).Select(_ => string.Join(' ', Enumerable.Range(0, 6).Select(_ => words[random.Next(words.Length)]))), path, numMerges: 200);
        return ClipTokenizer.FromVocabFile(path);
    });

    // Letters, digits, punctuation, apostrophes, tabs and newlines, accents, CJK and an emoji (a surrogate pair);
    // '&' is left out because HTML unescaping legitimately changes the text.
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,!?'-_:;()[]\"/\t\néüñß東京タワー";

    private static readonly Gen<string> Texts = Gen.OneOf(
        Gen.String[Gen.Char[Alphabet], 0, 60],
        Gen.String[Gen.Char[Alphabet], 0, 8].Select(s => s + "😀" + s));

    private static string NoWhitespace(string s) => string.Concat(s.Where(c => !char.IsWhiteSpace(c)));

    [Fact]
    public void Decoding_an_encoding_gives_back_the_cleaned_text_up_to_whitespace()
    {
        var t = Tokenizer.Value;
        Texts.Sample(text =>
        {
            var ids = t.Encode(text);
            Assert.All(ids, id => Assert.InRange(id, 0, t.VocabSize - 3));             // never the special tokens
            Assert.Equal(NoWhitespace(TextCleaner.Clean(text)), NoWhitespace(t.Decode(ids)));
        }, iter: 500, threads: 1);
    }

    [Fact]
    public void Model_rows_hold_start_one_end_of_text_and_zeros_after_it_whatever_the_length()
    {
        var t = Tokenizer.Value;
        Gen.String[Gen.Char[Alphabet], 0, 400].Sample(text =>
        {
            var row = t.EncodeForModel(text);
            Assert.Equal(t.ContextLength, row.Length);
            Assert.Equal(t.StartOfText, row[0]);
            int eot = Array.IndexOf(row, t.EndOfText);                                   // the pooled token survives truncation
            Assert.True(eot > 0, "no end-of-text token");
            Assert.Equal(1, row.Count(id => id == t.EndOfText));
            Assert.All(row[(eot + 1)..], id => Assert.Equal(0, id));
        }, iter: 300, threads: 1);
    }

    // Fits skips encoding a text with no more UTF-8 bytes after cleaning than the context holds tokens; it must agree
    // with the token count everywhere, HTML entities and case changes that alter the text's length included.
    [Fact]
    public void Fits_agrees_with_the_token_count()
    {
        var t = Tokenizer.Value;
        var pieces = Gen.OneOf(Gen.String[Gen.Char[Alphabet], 0, 12], Gen.OneOf("&amp;", "&nGt;", "&lt", "İ", "ﬃ", "<|endoftext|>", "  "));
        pieces.Array[0, 24].Select(string.Concat).Sample(text =>
            Assert.Equal(t.TokensNeeded(text) <= t.ContextLength, t.Fits(text)), iter: 1000, threads: 1);
        Assert.True(t.Fits(string.Concat(Enumerable.Repeat("a ", t.ContextLength - 2))));
        Assert.False(t.Fits(string.Concat(Enumerable.Repeat("a ", t.ContextLength - 1))));
    }
}
