using CleanClip.Data;

namespace CleanClip.Text;

/// <summary>Options of <c>cleanclip vocab</c>; the CLI takes its defaults from here.</summary>
public sealed record VocabJobOptions
{
    /// <summary>The image–caption table whose captions (the rows training would keep) the merges are learned from.</summary>
    public required string TrainData { get; init; }
    public CaptionTableOptions Table { get; init; } = CaptionTableOptions.CleanClip;
    /// <summary>The most tokens the vocabulary may hold (a model's <c>VocabSize</c>): 512 byte tokens, the merges, SOT and EOT.</summary>
    public int Size { get; init; } = 1024;
    /// <summary>A classes file whose zero-shot prompts are learned from too, so evaluation prompts tokenize as well as captions do.</summary>
    public string? Classes { get; init; }
    /// <summary>Merging stops when the best pair occurs fewer times than this.</summary>
    public int MinFrequency { get; init; } = 2;
    /// <summary>The vocabulary file to write (gzip when it ends in .gz); it must not exist yet.</summary>
    public required string Out { get; init; }
}

/// <summary>What <see cref="VocabJob.Run"/> learned and wrote.</summary>
public sealed record VocabJobResult(string Path, int Captions, int Merges, int VocabSize);

/// <summary><c>cleanclip vocab</c>: the BPE trainer the demo uses (<see cref="BpeTrainer"/>), on a caption table.</summary>
public static class VocabJob
{
    /// <summary>Tokens every vocabulary has before its merges: 256 bytes, 256 bytes ending a word, SOT and EOT.</summary>
    public const int BaseTokens = 2 * 256 + 2;

    /// <exception cref="ArgumentException">A size outside what the tokenizer loads, or a min frequency below 1.</exception>
    /// <exception cref="IOException">The output file exists.</exception>
    /// <exception cref="InvalidDataException">The table (or classes file) is bad or has no usable caption.</exception>
    public static VocabJobResult Run(VocabJobOptions options)
    {
        if (options.Size < BaseTokens || options.Size > BaseTokens + ClipTokenizer.MaxMerges)
            throw new ArgumentException($"--size {options.Size}: a vocabulary holds {BaseTokens} base tokens plus its merges, so the size must be in {BaseTokens}..{BaseTokens + ClipTokenizer.MaxMerges}");
        if (options.MinFrequency < 1) throw new ArgumentException($"--min-frequency must be at least 1, got {options.MinFrequency}");
        var output = Path.GetFullPath(options.Out);
        // Replacing a vocabulary a trained model depends on would silently break it: only a new file is written.
        if (File.Exists(output) || Directory.Exists(output))
            throw new IOException($"--out {output} exists; vocab writes a new file and replaces nothing: remove it or choose another name");
        var table = ImageCaptionDataset.Load(options.TrainData, options.Table);
        if (table.Count == 0) throw new InvalidDataException($"{options.TrainData}: no usable image-caption row ({table.Skipped.Summary()})");
        var captions = table.Rows.Select(r => r.Caption).ToList();
        if (options.Classes is { } classesPath)
        {
            var classes = ClassesFile.Read(classesPath);
            captions.AddRange(Enumerable.Range(0, classes.Classes.Count).SelectMany(classes.Prompts));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var merges = BpeTrainer.TrainToFile(captions, output, options.Size - BaseTokens, options.MinFrequency);
        return new VocabJobResult(output, table.Count, merges.Count, BaseTokens + merges.Count);
    }
}
