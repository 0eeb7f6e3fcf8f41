using CleanClip.Text;

namespace CleanClip.Tests.Text;

/// <summary>
/// Test oracle: OpenAI's BPE loop (merge every occurrence of the lowest-ranked pair, left to right, until none
/// is ranked), to check that Microsoft.ML.Tokenizers' heap-based merging agrees on vocabularies we train.
/// </summary>
internal sealed class ReferenceBpe
{
    private readonly Dictionary<(string, string), int> _ranks = new();

    public ReferenceBpe(IReadOnlyList<BpeMerge> merges)
    {
        for (int i = 0; i < merges.Count; i++) _ranks[(merges[i].Left, merges[i].Right)] = i;
    }

    /// <summary>Token strings of one byte-level pre-token.</summary>
    public List<string> Apply(string byteLevelWord)
    {
        var word = byteLevelWord.Select(c => c.ToString()).ToList();
        word[^1] += "</w>";
        while (word.Count > 1)
        {
            (string, string)? best = null;
            int bestRank = int.MaxValue;
            for (int i = 0; i + 1 < word.Count; i++)
                if (_ranks.TryGetValue((word[i], word[i + 1]), out int r) && r < bestRank) (best, bestRank) = ((word[i], word[i + 1]), r);
            if (best is not var (left, right)) break;
            var merged = new List<string>(word.Count);
            for (int i = 0; i < word.Count; i++)
            {
                if (i + 1 < word.Count && word[i] == left && word[i + 1] == right) { merged.Add(left + right); i++; }
                else merged.Add(word[i]);
            }
            word = merged;
        }
        return word;
    }
}
