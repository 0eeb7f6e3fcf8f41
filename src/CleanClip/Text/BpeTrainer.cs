using System.Text;

namespace CleanClip.Text;

/// <summary>
/// Learns CLIP-style byte-level BPE merges from captions: the tokenizer's own cleaning and pre-tokenization,
/// words as UTF-8 bytes in the byte alphabet with "&lt;/w&gt;" on the last symbol, then greedy merging of the most
/// frequent adjacent pair (counted over word occurrences).
/// Ties are broken by the ordinal order of the left symbol, then the right symbol, so the result depends only on the
/// multiset of words, not on caption order or hash order. Pair counts are kept incrementally: each merge touches only
/// the words that contain the pair.
/// </summary>
public static class BpeTrainer
{
    /// <summary>Learns up to <paramref name="numMerges"/> merges, stopping early when the best pair occurs fewer
    /// than <paramref name="minFrequency"/> times. Special-token literals in captions are not learned from.</summary>
    public static List<BpeMerge> LearnMerges(IEnumerable<string> captions, int numMerges, int minFrequency = 2)
    {
        ArgumentNullException.ThrowIfNull(captions);
        if (numMerges is < 0 or > ClipTokenizer.MaxMerges)
            throw new ArgumentOutOfRangeException(nameof(numMerges), $"numMerges must be in [0, {ClipTokenizer.MaxMerges}] (what ClipTokenizer loads), got {numMerges}.");
        if (minFrequency < 1)
            throw new ArgumentOutOfRangeException(nameof(minFrequency), $"minFrequency must be at least 1, got {minFrequency}.");
        return new PairMerger(CountWords(captions)).Run(numMerges, minFrequency);
    }

    /// <summary>Learns merges and writes them atomically in the <see cref="BpeVocabularyFile"/> format
    /// (gzip when <paramref name="path"/> ends in .gz), loadable by <see cref="ClipTokenizer.FromVocabFile"/>.</summary>
    public static List<BpeMerge> TrainToFile(IEnumerable<string> captions, string path, int numMerges, int minFrequency = 2)
    {
        var merges = LearnMerges(captions, numMerges, minFrequency);
        BpeVocabularyFile.Write(path, merges);
        return merges;
    }

    private static Dictionary<string, long> CountWords(IEnumerable<string> captions)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var caption in captions)
        {
            string clean = TextCleaner.Clean(caption);
            foreach (var (start, length) in ClipPreTokenizer.Split(clean))
            {
                string word = clean.Substring(start, length);
                if (word is ClipTokenizer.StartOfTextToken or ClipTokenizer.EndOfTextToken) continue;
                counts[word] = counts.GetValueOrDefault(word) + 1;
            }
        }
        return counts;
    }

    private sealed class PairMerger : IComparer<(long Count, long Pair)>
    {
        private readonly List<string> _symbols = new();
        private readonly Dictionary<string, int> _symbolIds = new(StringComparer.Ordinal);
        private readonly int[][] _words;
        private readonly long[] _wordCounts;
        private readonly Dictionary<long, long> _pairCounts = new();
        private readonly Dictionary<long, HashSet<int>> _wordsWithPair = new();

        public PairMerger(Dictionary<string, long> wordCounts)
        {
            foreach (char c in ByteLevelAlphabet.VocabularyOrder) SymbolId(c.ToString());
            foreach (char c in ByteLevelAlphabet.VocabularyOrder) SymbolId(c + "</w>");
            var words = wordCounts.Keys.Order(StringComparer.Ordinal).ToArray();
            _words = new int[words.Length][];
            _wordCounts = new long[words.Length];
            for (int w = 0; w < words.Length; w++)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(words[w]);
                var symbols = new int[bytes.Length];
                for (int k = 0; k < bytes.Length; k++)
                {
                    string s = ByteLevelAlphabet.ByteToChar[bytes[k]].ToString();
                    symbols[k] = _symbolIds[k == bytes.Length - 1 ? s + "</w>" : s];
                }
                _words[w] = symbols;
                _wordCounts[w] = wordCounts[words[w]];
                for (int k = 0; k + 1 < symbols.Length; k++) AddPair(Key(symbols[k], symbols[k + 1]), _wordCounts[w], w);
            }
        }

        public List<BpeMerge> Run(int numMerges, int minFrequency)
        {
            var merges = new List<BpeMerge>();
            var queue = new PriorityQueue<long, (long Count, long Pair)>(this);
            foreach (var (pair, count) in _pairCounts) queue.Enqueue(pair, (count, pair));
            var delta = new Dictionary<long, long>();
            while (merges.Count < numMerges && queue.TryDequeue(out long best, out var queued))
            {
                long count = _pairCounts.GetValueOrDefault(best);
                if (count != queued.Count)
                {
                    // Stale entry: counts only drop without a new push, so re-queue at the current count.
                    if (count > 0) queue.Enqueue(best, (count, best));
                    continue;
                }
                if (count < minFrequency) break;
                int left = (int)(best >> 32), right = (int)best;
                merges.Add(new BpeMerge(_symbols[left], _symbols[right]));
                int merged = SymbolId(_symbols[left] + _symbols[right]);

                delta.Clear();
                foreach (int w in _wordsWithPair[best]) MergeInWord(w, left, right, merged, delta);
                _wordsWithPair.Remove(best);
                foreach (var (pair, change) in delta)
                {
                    long now = _pairCounts.GetValueOrDefault(pair) + change;
                    if (now > 0) _pairCounts[pair] = now; else _pairCounts.Remove(pair);
                    if (change > 0) queue.Enqueue(pair, (now, pair));
                }
            }
            return merges;
        }

        /// <summary>Merges every non-overlapping (left, right) of word w, left to right, recording pair count changes.</summary>
        private void MergeInWord(int w, int left, int right, int merged, Dictionary<long, long> delta)
        {
            int[] old = _words[w];
            var next = new List<int>(old.Length);
            for (int k = 0; k < old.Length; k++)
            {
                if (k + 1 < old.Length && old[k] == left && old[k + 1] == right) { next.Add(merged); k++; }
                else next.Add(old[k]);
            }
            if (next.Count == old.Length) return;
            long n = _wordCounts[w];
            for (int k = 0; k + 1 < old.Length; k++) Change(delta, Key(old[k], old[k + 1]), -n);
            for (int k = 0; k + 1 < next.Count; k++)
            {
                long pair = Key(next[k], next[k + 1]);
                Change(delta, pair, n);
                WordsWith(pair).Add(w);
            }
            _words[w] = next.ToArray();
        }

        private void AddPair(long pair, long count, int word)
        {
            _pairCounts[pair] = _pairCounts.GetValueOrDefault(pair) + count;
            WordsWith(pair).Add(word);
        }

        private HashSet<int> WordsWith(long pair)
        {
            if (!_wordsWithPair.TryGetValue(pair, out var set)) _wordsWithPair[pair] = set = new HashSet<int>();
            return set;
        }

        private static void Change(Dictionary<long, long> delta, long pair, long by) =>
            delta[pair] = delta.GetValueOrDefault(pair) + by;

        /// <summary>Merging "a"+"bc" and "ab"+"c" gives one token string; it keeps one symbol id, as in HF's trainer.</summary>
        private int SymbolId(string symbol)
        {
            if (_symbolIds.TryGetValue(symbol, out int id)) return id;
            _symbols.Add(symbol);
            return _symbolIds[symbol] = _symbols.Count - 1;
        }

        private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

        /// <summary>Queue order: higher count first, then ordinal (left, right) symbol strings.</summary>
        public int Compare((long Count, long Pair) x, (long Count, long Pair) y)
        {
            if (x.Count != y.Count) return y.Count.CompareTo(x.Count);
            int byLeft = string.CompareOrdinal(_symbols[(int)(x.Pair >> 32)], _symbols[(int)(y.Pair >> 32)]);
            return byLeft != 0 ? byLeft : string.CompareOrdinal(_symbols[(int)x.Pair], _symbols[(int)y.Pair]);
        }
    }
}
