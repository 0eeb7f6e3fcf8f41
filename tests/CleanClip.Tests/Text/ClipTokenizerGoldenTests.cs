using System.Security.Cryptography;
using System.Text.Json;
using CleanClip.Text;
using Xunit;

namespace CleanClip.Tests.Text;

/// <summary>Every string of tools/golden/tokenizer_golden.py's output, in both truncation modes.</summary>
public class ClipTokenizerGoldenTests
{
    private sealed record GoldenCase(string Text, int[] Ids, string Decoded, int[]? KeepEot, int[]? Reference);

    private static readonly Lazy<(string Sha, GoldenCase[] Cases, (int[] Ids, string Text)[] Decodes)> Golden = new(Load);

    private static (string, GoldenCase[], (int[], string)[]) Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("tokenizer_golden.json")));
        var root = doc.RootElement;
        int[]? Ints(JsonElement c, string name) =>
            c.TryGetProperty(name, out var a) ? a.EnumerateArray().Select(x => x.GetInt32()).ToArray() : null;
        var cases = root.GetProperty("cases").EnumerateArray().Select(c => new GoldenCase(
            c.GetProperty("text").GetString()!, Ints(c, "ids")!, c.GetProperty("decoded").GetString()!,
            Ints(c, "keep_eot"), Ints(c, "reference"))).ToArray();
        var decodes = root.GetProperty("decode_only").EnumerateArray()
            .Select(c => (Ints(c, "ids")!, c.GetProperty("decoded").GetString()!)).ToArray();
        return (root.GetProperty("vocab_sha256").GetString()!, cases, decodes);
    }

    private static ClipTokenizer Tokenizer()
    {
        var tokenizer = OpenAiVocab.Tokenizer;
        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(TestPaths.VocabPath)));
        Assert.True(sha == Golden.Value.Sha, $"{TestPaths.VocabPath} is not the file the golden vectors were made from (sha256 {sha}).");
        return tokenizer;
    }

    [Fact]
    public void FixtureCoversTheRequiredCases()
    {
        var cases = Golden.Value.Cases;
        Assert.True(cases.Length >= 60, $"only {cases.Length} golden strings");
        Assert.True(cases.Count(c => c.KeepEot is not null) >= 5, "too few captions longer than the context");
        Assert.Contains(cases, c => c.Text.Length == 0);
        Assert.Contains(cases, c => c.Text.Contains("<|endoftext|>"));
    }

    [SkippableFact]
    public void EncodeMatchesReference() =>
        AssertAll(Tokenizer(), (t, c) => (c.Ids, t.Encode(c.Text)));

    [SkippableFact]
    public void DecodeMatchesReference() =>
        AssertAll(Tokenizer(), (t, c) => (c.Decoded, t.Decode(c.Ids)));

    [SkippableFact]
    public void DecodeReplacesBrokenUtf8LikePython()
    {
        var tokenizer = Tokenizer();
        foreach (var (ids, text) in Golden.Value.Decodes) Assert.Equal(text, tokenizer.Decode(ids));
    }

    [SkippableTheory]
    [InlineData(TruncationMode.KeepEndOfText)]
    [InlineData(TruncationMode.Reference)]
    public void ModelRowsMatchReference(TruncationMode mode)
    {
        _ = Tokenizer();
        var tokenizer = OpenAiVocab.With(mode);
        AssertAll(tokenizer, (t, c) =>
        {
            int[] expected = (mode == TruncationMode.KeepEndOfText ? c.KeepEot : c.Reference) ?? ShortRow(t, c.Ids);
            return (expected, t.EncodeForModel(c.Text));
        });
    }

    private static int[] ShortRow(ClipTokenizer t, int[] ids)
    {
        var row = new int[t.ContextLength];
        row[0] = t.StartOfText;
        ids.CopyTo(row, 1);
        row[ids.Length + 1] = t.EndOfText;
        return row;
    }

    private static void AssertAll<T>(ClipTokenizer tokenizer, Func<ClipTokenizer, GoldenCase, (T Expected, T Actual)> check)
    {
        var failures = new List<string>();
        foreach (var c in Golden.Value.Cases)
        {
            var (expected, actual) = check(tokenizer, c);
            string e = JsonSerializer.Serialize(expected), a = JsonSerializer.Serialize(actual);
            if (e != a) failures.Add($"{JsonSerializer.Serialize(c.Text)}\n  expected {e}\n  actual   {a}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count}/{Golden.Value.Cases.Length} golden cases differ:\n" + string.Join("\n", failures));
    }
}
