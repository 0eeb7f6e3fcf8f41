using System.Globalization;

namespace CleanClip.Training.Augmentation;

/// <summary>
/// Synonyms from WordNet 3.0 database files (Debian's <c>wordnet-base</c>: index.*, data.*, *.exc), read in C# the way
/// EDA reads NLTK's WordNet: every lemma of every synset of the word (after NLTK-style morphological reduction),
/// underscores and hyphens as spaces, lower case, letters and spaces only, the word itself excluded. The reference
/// orders them by Python's set hashing; here they are sorted, so results do not depend on a hash seed.
/// </summary>
public sealed class WordNet : ISynonymSource
{
    private static readonly string[] Parts = ["noun", "verb", "adj", "adv"];

    // NLTK morphy's detachment rules per part of speech (suffix, replacement).
    private static readonly Dictionary<string, (string, string)[]> Rules = new()
    {
        ["noun"] = [("s", ""), ("ses", "s"), ("ves", "f"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y")],
        ["verb"] = [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")],
        ["adj"] = [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
        ["adv"] = [],
    };

    private readonly Dictionary<string, Dictionary<string, long[]>> index = new();
    private readonly Dictionary<string, Dictionary<string, string[]>> exceptions = new();
    private readonly Dictionary<string, byte[]> data = new();
    private readonly Dictionary<string, IReadOnlyList<string>> cache = new();

    private readonly string folder;

    private WordNet(string folder)
    {
        this.folder = folder;
        foreach (var pos in Parts)
        {
            index[pos] = ReadIndex(Path.Combine(folder, $"index.{pos}"));
            data[pos] = File.ReadAllBytes(Path.Combine(folder, $"data.{pos}"));
            var exc = Path.Combine(folder, $"{pos}.exc");
            exceptions[pos] = File.Exists(exc)
                ? File.ReadLines(exc).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(p => p.Length >= 2)
                    .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.SelectMany(p => p.Skip(1)).ToArray())
                : new();
        }
    }

    /// <summary>Where WordNet is looked for when no folder is given: <c>$WNHOME/dict</c>, then <c>/usr/share/wordnet</c> (Debian's wordnet-base).</summary>
    public static IReadOnlyList<string> DefaultPlaces() =>
        Environment.GetEnvironmentVariable("WNHOME") is { } home ? [Path.Combine(home, "dict"), "/usr/share/wordnet"] : ["/usr/share/wordnet"];

    /// <summary>The first folder holding WordNet's files: <paramref name="folder"/>, then <paramref name="places"/> (default: <see cref="DefaultPlaces"/>).</summary>
    public static string? Find(string? folder = null, IEnumerable<string>? places = null) =>
        new[] { folder }.Concat(places ?? DefaultPlaces())
            .FirstOrDefault(d => d is not null && File.Exists(Path.Combine(d, "index.noun")));

    public static WordNet Load(string folder)
    {
        try { return new WordNet(folder); }
        // Numbers out of range (fuzzing found Int32/Int64 overflows in index lines) are malformed files too.
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"{folder}: not a WordNet 3.0 database folder ({e.Message})", e);
        }
    }

    public IReadOnlyList<string> Synonyms(string word)
    {
        lock (cache)
        {
            if (cache.TryGetValue(word, out var known)) return known;
            var found = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var pos in Parts)
                foreach (var lemma in Morphy(word, pos))
                    foreach (long offset in index[pos].GetValueOrDefault(lemma, []))
                        foreach (var name in SynsetWords(pos, offset))
                        {
                            var synonym = new string(name.Replace('_', ' ').Replace('-', ' ').ToLowerInvariant()
                                .Where(c => c == ' ' || c is >= 'a' and <= 'z').ToArray());
                            if (synonym.Length > 0) found.Add(synonym);
                        }
            found.Remove(word);
            return cache[word] = found.ToList();
        }
    }

    /// <summary>NLTK's morphy: exceptions, the word itself if it is a lemma, then suffix rules yielding lemmas.</summary>
    private IEnumerable<string> Morphy(string word, string pos)
    {
        var forms = new List<string>(exceptions[pos].GetValueOrDefault(word, [])) { word };
        forms.AddRange(Rules[pos].Where(r => word.EndsWith(r.Item1, StringComparison.Ordinal))
            .Select(r => word[..^r.Item1.Length] + r.Item2));
        return forms.Where(index[pos].ContainsKey).Distinct();
    }

    /// <exception cref="InvalidDataException">The index points outside data.POS, or the record there is malformed.</exception>
    private IEnumerable<string> SynsetWords(string pos, long offset)
    {
        var bytes = data[pos];
        InvalidDataException Malformed(string why) => new($"{folder}/data.{pos}: synset record at byte {offset} {why}");
        if (offset < 0 || offset >= bytes.Length) throw Malformed($"is outside the file ({bytes.Length} bytes)");
        int end = Array.IndexOf(bytes, (byte)'\n', (int)offset);
        var fields = System.Text.Encoding.ASCII.GetString(bytes, (int)offset, (end < 0 ? bytes.Length : end) - (int)offset).Split(' ');
        if (fields.Length < 4 || !int.TryParse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int count) || fields.Length < 4 + 2 * count)
            throw Malformed("does not hold its word count and words");
        for (int i = 0; i < count; i++)
        {
            var name = fields[4 + 2 * i];
            int marker = name.IndexOf('(');                     // adjectives may carry a syntactic marker: "galore(ip)"
            yield return marker > 0 ? name[..marker] : name;
        }
    }

    private static Dictionary<string, long[]> ReadIndex(string path)
    {
        var result = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(' ')) continue;                 // licence header lines start with two spaces
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int synsets = int.Parse(f[2], CultureInfo.InvariantCulture), pointers = int.Parse(f[3], CultureInfo.InvariantCulture);
            int first = 4 + pointers + 2;
            result[f[0]] = f.Skip(first).Take(synsets).Select(o => long.Parse(o, CultureInfo.InvariantCulture)).ToArray();
        }
        return result;
    }
}
