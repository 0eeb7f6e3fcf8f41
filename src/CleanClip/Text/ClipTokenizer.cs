using System.Collections.Concurrent;
using System.Text;
using Microsoft.ML.Tokenizers;
using TorchSharp;

namespace CleanClip.Text;

/// <summary>
/// The OpenAI CLIP tokenizer (byte-level BPE, 49,408 tokens with the OpenAI file), exact against the Python
/// reference (tools/golden/tokenizer_golden.py). Cleaning and pre-tokenization are ported here; the BPE merging of
/// each pre-token is Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>. Thread-safe.
/// </summary>
public sealed class ClipTokenizer
{
    public const string StartOfTextToken = "<|startoftext|>";
    public const string EndOfTextToken = "<|endoftext|>";

    /// <summary>OpenAI uses lines[1 : 49152-256-2+1] of its file; more merge lines in any file are ignored.</summary>
    public const int MaxMerges = 49152 - 256 - 2;

    private const string EndOfWord = "</w>";
    private const int CacheCapacity = 200_000;
    private const int ParallelThreshold = 256;

    private readonly BpeTokenizer _bpe;
    private readonly string[] _idToToken;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private int _cached; // ConcurrentDictionary.Count takes every lock, so the bound is counted here

    private ClipTokenizer(IReadOnlyList<BpeMerge> merges, TokenizerOptions options, string? path)
    {
        if (options.ContextLength < 2)
            throw new ArgumentOutOfRangeException(nameof(options), $"ContextLength must be at least 2 (SOT and EOT), got {options.ContextLength}.");
        Options = options;

        var tokens = new List<string>(512 + merges.Count + 2);
        tokens.AddRange(ByteLevelAlphabet.VocabularyOrder.Select(c => c.ToString()));
        tokens.AddRange(ByteLevelAlphabet.VocabularyOrder.Select(c => c + EndOfWord));
        var known = new HashSet<string>(tokens, StringComparer.Ordinal);
        var firstLine = new Dictionary<BpeMerge, int>();
        for (int i = 0; i < merges.Count; i++)
        {
            var (left, right) = merges[i];
            string where = path is null ? $"merge {i + 1}" : $"{path}, line {i + 2}";
            if (!known.Contains(left) || !known.Contains(right))
                throw new InvalidDataException($"{where}: merge '{merges[i]}' uses a symbol that neither the byte alphabet nor an earlier merge defines.");
            // A repeated pair would have two ranks; the reference silently keeps the later one, BpeTokenizer throws.
            if (!firstLine.TryAdd(merges[i], i))
                throw new InvalidDataException($"{where}: merge '{merges[i]}' repeats {(path is null ? "merge " + (firstLine[merges[i]] + 1) : "line " + (firstLine[merges[i]] + 2))}; each pair may be listed once.");
            tokens.Add(left + right);
            known.Add(left + right);
        }
        tokens.Add(StartOfTextToken);
        tokens.Add(EndOfTextToken);
        _idToToken = tokens.ToArray();

        // BpeTokenizer merges by a (rank, position) heap, OpenAI by "all occurrences of the best pair, then rescan";
        // they agree when every merge only uses symbols made by earlier merges, which the check above enforces
        // (0 differences on the golden strings and a 20,000-string random sweep).
        // A token string made by two different merges keeps the later id, as Python's dict(zip(vocab, range)) does.
        var vocabulary = new Dictionary<string, int>(_idToToken.Length, StringComparer.Ordinal);
        for (int id = 0; id < _idToToken.Length - 2; id++) vocabulary[_idToToken[id]] = id;
        _bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
        {
            Merges = merges.Select(m => m.ToString()),
            ByteLevel = true,
            EndOfWordSuffix = EndOfWord,
        });
    }

    public TokenizerOptions Options { get; }
    public int VocabSize => _idToToken.Length;
    public int StartOfText => _idToToken.Length - 2;
    public int EndOfText => _idToToken.Length - 1;
    public int ContextLength => Options.ContextLength;

    /// <summary>Loads a merges file (gzip or plain; see <see cref="BpeVocabularyFile"/>), using its first
    /// min(M, <see cref="MaxMerges"/>) merges: vocab = 512 byte tokens + merges + SOT + EOT.</summary>
    public static ClipTokenizer FromVocabFile(string path, TokenizerOptions? options = null)
    {
        var (_, merges) = BpeVocabularyFile.Read(path, MaxMerges);
        return new ClipTokenizer(merges, options ?? new TokenizerOptions(), path);
    }

    /// <summary>Builds a tokenizer from merges in rank order (at most <see cref="MaxMerges"/>).</summary>
    public static ClipTokenizer FromMerges(IReadOnlyList<BpeMerge> merges, TokenizerOptions? options = null)
    {
        if (merges.Count > MaxMerges)
            throw new ArgumentException($"At most {MaxMerges} merges are supported, got {merges.Count}.", nameof(merges));
        return new ClipTokenizer(merges, options ?? new TokenizerOptions(), path: null);
    }

    /// <summary>BPE ids of the cleaned text, without SOT/EOT.</summary>
    public int[] Encode(string text) => EncodeCleaned(TextCleaner.Clean(text));

    private int[] EncodeCleaned(string clean)
    {
        var ids = new List<int>(clean.Length / 3 + 4);
        foreach (var (start, length) in ClipPreTokenizer.Split(clean))
            ids.AddRange(EncodePiece(clean.Substring(start, length)));
        return ids.ToArray();
    }

    /// <summary>
    /// Whether the text's row holds it whole: SOT, its ids and EOT within <see cref="ContextLength"/>, so
    /// <see cref="EncodeForModel"/> does not truncate it.
    /// </summary>
    public bool Fits(string text)
    {
        string clean = TextCleaner.Clean(text);
        // Byte-level BPE gives every token at least one byte of the cleaned text, so a short text fits without encoding it.
        if (Encoding.UTF8.GetByteCount(clean) + 2 <= ContextLength) return true;
        return EncodeCleaned(clean).Length + 2 <= ContextLength;
    }

    /// <summary>Tokens the text's row needs, SOT and EOT included; more than <see cref="ContextLength"/> means it is truncated.</summary>
    public int TokensNeeded(string text) => Encode(text).Length + 2;

    /// <summary>One model row: SOT + ids + EOT, truncated per <see cref="TokenizerOptions.Truncation"/> and padded with 0.</summary>
    public int[] EncodeForModel(string text)
    {
        var row = new int[ContextLength];
        WriteRow(text, row);
        return row;
    }

    /// <summary>N × ContextLength ids (0-padded), in parallel for large batches.</summary>
    public long[,] Tokenize(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var result = new long[texts.Count, ContextLength];
        void Row(int i)
        {
            var row = EncodeForModel(texts[i]);
            for (int j = 0; j < row.Length; j++) result[i, j] = row[j];
        }
        if (texts.Count >= ParallelThreshold) Parallel.For(0, texts.Count, Row);
        else for (int i = 0; i < texts.Count; i++) Row(i);
        return result;
    }

    /// <summary><see cref="Tokenize"/> as an int64 tensor [N, ContextLength] on the CPU.</summary>
    public torch.Tensor TokenizeToTensor(IReadOnlyList<string> texts)
    {
        var ids = Tokenize(texts);
        var flat = new long[ids.Length];
        Buffer.BlockCopy(ids, 0, flat, 0, flat.Length * sizeof(long));
        return torch.tensor(flat, new long[] { texts.Count, ContextLength }, torch.int64);
    }

    /// <summary>OpenAI's decode: concatenate tokens, map characters back to bytes, UTF-8 decode (invalid sequences
    /// become U+FFFD), then every "&lt;/w&gt;" becomes a space.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_idToToken.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), $"Token id {id} is outside the vocabulary [0, {_idToToken.Length}).");
            foreach (char c in _idToToken[id]) bytes.Add(ByteLevelAlphabet.CharToByte(c));
        }
        return Encoding.UTF8.GetString(bytes.ToArray()).Replace(EndOfWord, " ");
    }

    /// <summary>The token string of an id (byte-level characters, with "&lt;/w&gt;" on word ends).</summary>
    public string IdToToken(int id) => _idToToken[id];

    private void WriteRow(string text, int[] row)
    {
        int[] ids = Encode(text);
        int needed = ids.Length + 2;
        if (needed > row.Length && Options.Truncation == TruncationMode.Error)
            throw new ArgumentException($"Caption needs {needed} tokens with SOT and EOT, more than the context length {row.Length}: \"{Preview(text)}\"", nameof(text));
        row[0] = StartOfText;
        int copied = Math.Min(ids.Length, row.Length - 1);
        Array.Copy(ids, 0, row, 1, copied);
        if (needed <= row.Length) row[copied + 1] = EndOfText;
        else if (Options.Truncation == TruncationMode.KeepEndOfText) row[^1] = EndOfText;
    }

    private int[] EncodePiece(string piece)
    {
        // Exact special literals only: the reference pre-seeds its BPE cache with them, so "<|ſtartoftext|>"
        // (which the case-insensitive regex also isolates) goes through BPE.
        if (piece == StartOfTextToken) return [StartOfText];
        if (piece == EndOfTextToken) return [EndOfText];
        if (_cache.TryGetValue(piece, out var cached)) return cached;
        var ids = _bpe.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false).ToArray();
        if (Volatile.Read(ref _cached) < CacheCapacity && _cache.TryAdd(piece, ids)) Interlocked.Increment(ref _cached);
        return ids;
    }

    private static string Preview(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
