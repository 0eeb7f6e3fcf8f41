using CleanClip.Text;
using Xunit;

namespace CleanClip.Tests.Text;

/// <summary>The OpenAI tokenizer, loaded once per test run (about 0.2 s); tests skip when shared/ lacks the vocab.</summary>
internal static class OpenAiVocab
{
    private static readonly Lazy<ClipTokenizer> Default = new(() => ClipTokenizer.FromVocabFile(TestPaths.VocabPath));

    public static ClipTokenizer Tokenizer
    {
        get
        {
            Skip.If(TestPaths.VocabPath.Length == 0,
                "OpenAI vocab shared/clip/bpe_simple_vocab_16e6.txt.gz not found beside the checkout (set CLEANCLIP_SHARED); it is never committed.");
            return Default.Value;
        }
    }

    public static ClipTokenizer With(TruncationMode mode)
    {
        _ = Tokenizer;
        return ClipTokenizer.FromVocabFile(TestPaths.VocabPath, new TokenizerOptions { Truncation = mode });
    }
}
