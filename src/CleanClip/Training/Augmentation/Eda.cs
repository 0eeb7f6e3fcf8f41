using System.Text;

namespace CleanClip.Training.Augmentation;

/// <summary>Synonyms for EDA's replacement and insertion (WordNet in practice); none means SR and RI are off.</summary>
public interface ISynonymSource
{
    /// <summary>Synonyms of a lower-case word, the word itself excluded, in a fixed order.</summary>
    IReadOnlyList<string> Synonyms(string word);
}

/// <summary>
/// EDA (Wei &amp; Zou 2019) as CleanCLIP uses it: α = 0.1 for all four operations and one candidate per operation, of
/// which one is chosen at random — synonym replacement (SR), random insertion (RI), random swap (RS), random deletion
/// (RD). Without synonyms only RS and RD are candidates. Every draw comes from the caption's seed.
/// </summary>
public sealed class Eda(ISynonymSource? synonyms = null, double alpha = 0.1)
{
    public bool HasSynonyms => synonyms is not null;

    /// <summary>The EDA mode a run records: all four operations, or only swap and deletion (no synonyms).</summary>
    public string Mode => HasSynonyms ? FullMode : WithoutWordNetMode;

    public const string FullMode = "full";
    public const string WithoutWordNetMode = "swap-and-deletion-only (no WordNet)";

    /// <summary>The reference's <c>get_only_chars</c>: apostrophes removed, hyphens and whitespace to spaces, lower
    /// case, every other non-letter to a space, runs of spaces collapsed. Digits and punctuation are dropped.</summary>
    public static string Clean(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in text.Replace("’", "").Replace("'", ""))
        {
            char lower = char.ToLowerInvariant(c is '-' or '\t' or '\n' ? ' ' : c);
            char kept = lower is >= 'a' and <= 'z' ? lower : ' ';
            if (kept != ' ' || (builder.Length > 0 && builder[^1] != ' ')) builder.Append(kept);
        }
        return builder.ToString().TrimEnd();
    }

    /// <summary>One augmented caption; an empty or letterless caption comes back empty, never an error.</summary>
    public string Augment(string caption, ulong seed)
    {
        var words = Clean(caption).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return "";
        var random = new SplitMix64(seed);
        int changes = Math.Max(1, (int)(alpha * words.Length));
        var candidates = new List<string[]>();
        if (synonyms is not null)
        {
            candidates.Add(SynonymReplacement(words, changes, ref random));
            candidates.Add(RandomInsertion(words, changes, ref random));
        }
        candidates.Add(RandomSwap(words, changes, ref random));
        candidates.Add(RandomDeletion(words, alpha, ref random));
        return string.Join(' ', candidates[random.NextInt(candidates.Count)]);
    }

    /// <summary>RS: swap two distinct positions, <paramref name="swaps"/> times (up to 3 retries to find a second one).</summary>
    public static string[] RandomSwap(string[] words, int swaps, ref SplitMix64 random)
    {
        var result = (string[])words.Clone();
        for (int s = 0; s < swaps && result.Length > 1; s++)
        {
            int first = random.NextInt(result.Length), second = first, tries = 0;
            while (second == first && tries++ <= 3) second = random.NextInt(result.Length);
            (result[first], result[second]) = (result[second], result[first]);
        }
        return result;
    }

    /// <summary>RD: keep each word with probability 1 − p; one word stays as it is; if all go, one random word remains.</summary>
    public static string[] RandomDeletion(string[] words, double p, ref SplitMix64 random)
    {
        if (words.Length == 1) return words;
        var kept = new List<string>();
        foreach (var word in words)
            if (random.NextDouble() > p) kept.Add(word);
        return kept.Count > 0 ? [.. kept] : [words[random.NextInt(words.Length)]];
    }

    private string[] SynonymReplacement(string[] words, int replacements, ref SplitMix64 random)
    {
        var result = (string[])words.Clone();
        var distinct = words.Distinct().Where(w => !StopWords.Contains(w)).ToArray();
        random.Shuffle(distinct);
        int replaced = 0;
        foreach (var word in distinct)
        {
            var options = synonyms!.Synonyms(word);
            if (options.Count == 0) continue;
            var synonym = options[random.NextInt(options.Count)];
            for (int i = 0; i < result.Length; i++)
                if (result[i] == word) result[i] = synonym;
            if (++replaced >= replacements) break;
        }
        return string.Join(' ', result).Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    private string[] RandomInsertion(string[] words, int insertions, ref SplitMix64 random)
    {
        var result = words.ToList();
        for (int n = 0; n < insertions; n++)
            for (int tries = 0; tries < 10; tries++)
            {
                var options = synonyms!.Synonyms(result[random.NextInt(result.Count)]);
                if (options.Count == 0) continue;
                // The reference inserts the first synonym at randint(0, len−1): never at the very end.
                result.Insert(random.NextInt(result.Count), options[0]);
                break;
            }
        return string.Join(' ', result).Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>EDA's stop words (never replaced by synonyms).</summary>
    public static readonly IReadOnlySet<string> StopWords = new HashSet<string>(
    [
        "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves",
        "he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their",
        "theirs", "themselves", "what", "which", "who", "whom", "this", "that", "these", "those", "am", "is", "are", "was",
        "were", "be", "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an", "the",
        "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with", "about", "against",
        "between", "into", "through", "during", "before", "after", "above", "below", "to", "from", "up", "down", "in",
        "out", "on", "off", "over", "under", "again", "further", "then", "once", "here", "there", "when", "where", "why",
        "how", "all", "any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not", "only",
        "own", "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don", "should", "now", "",
    ]);
}
