using System.Globalization;
using System.Text.Json;
using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Evaluation;
using CleanClip.Models;
using CleanClip.Text;
using CsvHelper;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Detection;

/// <summary>
/// <c>cleanclip scan</c>: embeds every image of a table with a model (streamed to a memory-mapped .npy that later
/// runs reuse), scores every row with the chosen detectors, and writes <c>scores.csv</c> and <c>scan.json</c>, with
/// ground-truth metrics when the table says which rows are poisoned; optionally a copy of the table without the
/// flagged rows.
/// </summary>
public static class ScanJob
{
    public const string Format = "cleanclip-scan/1";
    public const string ScoresFile = "scores.csv";
    public const string SummaryFile = "scan.json";

    /// <param name="Rows">Usable rows of the table.</param>
    /// <param name="Scored">Table rows (positions among <paramref name="Rows"/>) that were scored, in score order.</param>
    /// <param name="Metrics">Per detector, when the ground truth is known; null entries where it is one-sided.</param>
    /// <param name="Filtered">Rows removed by the filter, when one was asked for.</param>
    public sealed record Result(IReadOnlyList<CaptionRow> Rows, IReadOnlyList<int> Scored, ScanScores Scores,
        IReadOnlyDictionary<Detector, ScanMetrics?>? Metrics, IReadOnlyList<SkippedInput> Skipped, bool CacheHit,
        int? Filtered, string ScoresPath, string SummaryPath)
    {
        /// <summary>What reading the input left out (rows, or WebDataset keys and shards) before anything was embedded.</summary>
        public DatasetReport? Input { get; init; }

        /// <summary>1-based rank of each scored row by the primary score (1 = most suspect), in score order.</summary>
        public int[] Ranks()
        {
            var order = Ranking.Descending(Scores.PrimaryScores);
            var ranks = new int[order.Length];
            for (int i = 0; i < order.Length; i++) ranks[order[i]] = i + 1;
            return ranks;
        }
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Result Run(ScanOptions options, IProgress<JobProgress>? progress = null)
    {
        if (options.Side != ScanSide.Image && options.Vocab is null)
            throw new ArgumentException($"--side {options.Side.ToString().ToLowerInvariant()} embeds the captions: give the model's vocabulary with --vocab");
        if (options.TrustedCheckpoint is not null && options.Side != ScanSide.Image)
            throw new ArgumentException($"--trusted-checkpoint compares image neighbourhoods, so it needs --side image, not {options.Side.ToString().ToLowerInvariant()}");
        if (options.TrustedVocab is not null && options.TrustedCheckpoint is null)
            throw new ArgumentException("--trusted-vocab is the vocabulary of the trusted model: give the model with --trusted-checkpoint");
        var settings = options.TrustedCheckpoint is null ? options.Settings : options.Settings.WithTrusted(captions: options.TrustedVocab is not null);
        // With the model's vocabulary and its image embeddings, each image is also compared with its own caption.
        bool pairs = options.Vocab is not null && options.Side != ScanSide.Text;
        if (pairs) settings = settings.WithCaptions();
        // Image neighbours are compared by their caption texts, which every table has.
        bool imageNeighbours = options.Side != ScanSide.Text;
        if (imageNeighbours) settings = settings.WithCaptionTexts();
        CheckFilter(options);
        CheckOutput(options.Output);
        // WebDataset shards are indexed into the cache folder when there is one, beside the embeddings.
        var table = options.CacheDir is null || options.Table.ShardIndexFolder is not null ? options.Table
            : options.Table with { ShardIndexFolder = Path.Combine(options.CacheDir, ShardDataset.IndexFolderName) };
        var dataset = ImageCaptionDataset.Load(options.TrainData, table);
        settings.Validate(dataset.Count, options.TrustedCheckpoint is not null, options.TrustedVocab is not null, pairs, imageNeighbours);
        var truth = options.Manifest is null ? GroundTruth.FromColumn(dataset.Rows) : GroundTruth.FromManifest(options.Manifest, dataset.Rows);

        var device = TorchDevice.Choose(options.Device);
        using var model = ModelLoader.Load(options.Checkpoint, options.ModelConfig, options.ModelSeed, device, CheckpointReadOptions.Trusting(options.TrustTorchScript), options.Heads);
        model.eval();
        model.Precision = options.Precision;
        var images = options.Side == ScanSide.Text ? null : Embeddings(model, options.Checkpoint, options.ModelConfig, dataset, options, progress);
        var texts = options.Vocab is null ? null : TextEmbeddings(model, options.Checkpoint, options.ModelConfig, options.Vocab, dataset, options, progress);
        using var imageMatrix = images is null ? null : Mapped(images, model.Config.EmbedDim, options.Checkpoint);
        using var textMatrix = texts is null ? null : Mapped(texts, model.Config.EmbedDim, options.Checkpoint);
        var imageRows = imageMatrix is null ? null : new MappedEmbeddingRows(imageMatrix);
        IEmbeddingRows rowsToScore = options.Side switch
        {
            ScanSide.Image => imageRows!,
            ScanSide.Text => new MappedEmbeddingRows(textMatrix!),
            _ => new JointEmbeddingRows(imageRows!, new MappedEmbeddingRows(textMatrix!), images!.Rows),
        };
        // The table rows scored, in the matrix's order: those with an image embedding (unreadable images are skipped), or every row for text.
        var embeddings = images ?? texts!;
        using var trusted = options.TrustedCheckpoint is null ? null : TrustedEmbeddings(images!, dataset, options, device, progress);

        double logitScale = model.LogitScaleMultiplier();
        var captionView = pairs ? new CaptionView(imageRows!, new RowsAt(new MappedEmbeddingRows(textMatrix!), images!.Rows), logitScale) : null;
        var captionIds = imageNeighbours ? CaptionAgreement.Ids(embeddings.Rows.Select(r => dataset.Rows[r].Caption)) : null;
        var scores = ScanScorer.Score(rowsToScore, settings, progress, trusted?.View(images!.Rows), captionView, captionIds);
        var scoredTruth = truth is null ? null : embeddings.Rows.Select(r => truth[r]).ToArray();
        var metrics = scoredTruth is null ? null
            : scores.ByDetector.ToDictionary(p => p.Key, p => DetectionMetrics.Compute(p.Value, scoredTruth));
        var result = new Result(dataset.Rows, embeddings.Rows, scores, metrics, embeddings.Skipped, embeddings.Hit && (texts?.Hit ?? true), null,
            Path.Combine(options.Output, ScoresFile), Path.Combine(options.Output, SummaryFile)) { Input = dataset.Skipped };

        Directory.CreateDirectory(options.Output);
        WriteScores(result, scoredTruth);
        if (options.FilterOut is not null) result = result with { Filtered = Filter(result, options) };
        WriteSummary(result, options, settings, embeddings.Path, images is null ? null : texts?.Path, trusted, rowsToScore.Dimension, pairs ? logitScale : null);
        return result;
    }

    /// <summary>The trusted model's image embeddings of the scanned rows and, with its vocabulary, its caption embeddings of every row.</summary>
    private sealed class TrustedEmbeddingFiles(EmbeddingFile images, MappedFloatMatrix imageMatrix, EmbeddingFile? captions, MappedFloatMatrix? captionMatrix) : IDisposable
    {
        public EmbeddingFile Images => images;
        public EmbeddingFile? Captions => captions;

        /// <param name="scannedRows">For each scanned row, its table row (the caption matrix is in table order).</param>
        public TrustedView View(IReadOnlyList<int> scannedRows) => new(new MappedEmbeddingRows(imageMatrix),
            captionMatrix is null ? null : new RowsAt(new MappedEmbeddingRows(captionMatrix), scannedRows));

        public void Dispose()
        {
            imageMatrix.Dispose();
            captionMatrix?.Dispose();
        }
    }

    /// <summary>
    /// The trusted model's embeddings of the rows the scanned model embedded (cached like them), refused when the two
    /// models read a different set of images; with <see cref="ScanOptions.TrustedVocab"/>, of every caption too.
    /// </summary>
    private static TrustedEmbeddingFiles TrustedEmbeddings(EmbeddingFile scanned, ImageCaptionDataset dataset, ScanOptions options,
        Device device, IProgress<JobProgress>? progress)
    {
        string checkpoint = options.TrustedCheckpoint!;
        using var model = ModelLoader.Load(checkpoint, options.TrustedModelConfig, options.ModelSeed, device, CheckpointReadOptions.Trusting(options.TrustTorchScript));
        model.eval();
        model.Precision = options.Precision;
        var images = Embeddings(model, checkpoint, options.TrustedModelConfig, dataset, options, progress);
        if (!images.Rows.SequenceEqual(scanned.Rows))
            throw new InvalidDataException($"{images.Path}: the trusted model's embeddings cover {images.Rows.Count} rows, not the {scanned.Rows.Count} the scanned model embedded; delete the file to embed again");
        var captions = options.TrustedVocab is null ? null : TextEmbeddings(model, checkpoint, options.TrustedModelConfig, options.TrustedVocab, dataset, options, progress);
        var imageMatrix = Mapped(images, model.Config.EmbedDim, checkpoint);
        return new TrustedEmbeddingFiles(images, imageMatrix, captions, captions is null ? null : Mapped(captions, model.Config.EmbedDim, checkpoint));
    }

    /// <summary>The embedding file mapped, checked against the model's width and its index's row count.</summary>
    private static MappedFloatMatrix Mapped(EmbeddingFile embeddings, int embedDim, string checkpoint)
    {
        var matrix = NpyFile.MapFloatMatrix(embeddings.Path);
        string? problem = matrix.Width != embedDim ? $"cached embeddings are {matrix.Width} wide but the model {checkpoint} embeds into {embedDim}"
            : matrix.Rows != embeddings.Rows.Count ? $"{matrix.Rows} cached rows, but its index lists {embeddings.Rows.Count}"
            : null;
        if (problem is null) return matrix;
        matrix.Dispose();
        throw new InvalidDataException($"{embeddings.Path}: {problem}; delete the file to embed again");
    }

    private static void CheckFilter(ScanOptions options)
    {
        bool flagRule = options.RemoveTop is not null || options.Threshold is not null;
        if (options.FilterOut is null)
        {
            if (flagRule) throw new ArgumentException("--remove-top and --threshold need --filter-out FILE to write the filtered table to");
            return;
        }
        if (options.RemoveTop is not null == options.Threshold is not null)
            throw new ArgumentException("--filter-out needs exactly one of --remove-top N or --threshold S");
        if (ShardPattern.IsShardInput(options.TrainData))
            throw new ArgumentException($"--filter-out copies the input table without the flagged rows, and {options.TrainData} names WebDataset shards, not a table: " +
                "scores.csv lists every sample as SHARD/MEMBER with its rank, to leave out when the shards are written again");
        if (options.RemoveTop is < 0) throw new ArgumentException($"--remove-top {options.RemoveTop}: expected a count of rows, 0 or more");
        if (Path.GetFullPath(options.FilterOut) == Path.GetFullPath(options.TrainData))
            throw new ArgumentException($"--filter-out {options.FilterOut} is the input table; the filtered table must be a new file");
        if (File.Exists(options.FilterOut) || Directory.Exists(options.FilterOut))
            throw new IOException($"--filter-out {options.FilterOut} already exists; scan writes the filtered table only to a new file");
    }

    /// <summary>Refuses an output folder whose scores.csv or scan.json were not written by a scan (a scan.json of ours proves it).</summary>
    private static void CheckOutput(string output)
    {
        if (File.Exists(output)) throw new IOException($"--out {output} is a file, expected a folder");
        string scores = Path.Combine(output, ScoresFile), summary = Path.Combine(output, SummaryFile);
        if (!File.Exists(scores) && !File.Exists(summary)) return;
        if (!IsOurSummary(summary))
            throw new IOException($"--out {output} holds {ScoresFile} or {SummaryFile} that cleanclip scan did not write; choose another folder");
    }

    private static bool IsOurSummary(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.String && format.GetString() == Format;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private sealed record EmbeddingFile(string Path, IReadOnlyList<int> Rows, IReadOnlyList<SkippedInput> Skipped, bool Hit);

    private sealed record EmbeddingIndex(string Description, int[] Rows, List<SkippedInput> Skipped);

    /// <summary>
    /// The image embeddings of the table's rows, from the cache when its index describes these weights and these
    /// images, else computed batch by batch straight into the .npy. Unreadable images are skipped and listed.
    /// </summary>
    private static EmbeddingFile Embeddings(ClipModel model, string checkpoint, string? modelConfig, ImageCaptionDataset dataset, ScanOptions options, IProgress<JobProgress>? progress)
    {
        var description = string.Join('\n', new[]
        {
            "scan-embeddings/1",
            $"weights={ClassEmbeddingCache.DescribeWeights(checkpoint, options.ModelSeed)}",
            $"config={modelConfig?.ToLowerInvariant() ?? ""}",
            $"resolution={model.Config.ImageResolution}",
            $"images=sha256:{ProbeFeatureCache.HashFileStamps(dataset.Rows.Select(Stamp), dataset.Root)}",
            $"count={dataset.Count}",
        }.Concat(ClassEmbeddingCache.PrecisionLine(options.Precision)));
        return Cached(description, "embeddings", options, () =>
        {
            var names = dataset.Rows.Select((_, i) => i.ToString(CultureInfo.InvariantCulture)).ToList();
            var batches = ImageBatches.ForModel(model, options.BatchSize, options.DecodeThreads);
            var rows = new List<int>(dataset.Count);
            var device = model.LogitScale.device;
            IEnumerable<Tensor> Embed()
            {
                using var noGrad = torch.no_grad();
                foreach (var (batchNames, pixels) in batches.Read(names, dataset.Rows))
                {
                    using var scope = torch.NewDisposeScope();
                    var embedded = model.ImageEmbeddings(pixels.to(device)).to(ScalarType.Float32);
                    rows.AddRange(batchNames.Select(n => int.Parse(n, CultureInfo.InvariantCulture)));
                    progress?.Report(new JobProgress("embedding", rows.Count, names.Count));
                    yield return embedded;
                }
            }
            return (Embed(), () => (rows, batches.Skipped.Select(s => s with { Name = dataset.Rows[int.Parse(s.Name, CultureInfo.InvariantCulture)].RelativePath }).ToList()));
        }, model.Config.EmbedDim);
    }

    /// <summary>The text embeddings of every row's caption, in table order, from the cache when its index describes these weights, this vocabulary and these captions.</summary>
    private static EmbeddingFile TextEmbeddings(ClipModel model, string checkpoint, string? modelConfig, string vocab, ImageCaptionDataset dataset,
        ScanOptions options, IProgress<JobProgress>? progress)
    {
        var tokenizer = ClipTokenizer.FromVocabFile(vocab);
        TokenizerFit.Check(model, tokenizer, vocab);
        var captions = dataset.Rows.Select(r => r.Caption).ToList();
        var description = string.Join('\n', new[]
        {
            "scan-text-embeddings/1",
            $"weights={ClassEmbeddingCache.DescribeWeights(checkpoint, options.ModelSeed)}",
            $"config={modelConfig?.ToLowerInvariant() ?? ""}",
            $"vocab=sha256:{ClassEmbeddingCache.HashPath(vocab)}",
            $"captions=sha256:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', captions))))}",
            $"count={dataset.Count}",
        }.Concat(ClassEmbeddingCache.PrecisionLine(options.Precision)));
        const int captionsPerBatch = 256;
        return Cached(description, "text-embeddings", options, () =>
        {
            var device = model.LogitScale.device;
            IEnumerable<Tensor> Embed()
            {
                using var noGrad = torch.no_grad();
                for (int start = 0; start < captions.Count; start += captionsPerBatch)
                {
                    using var scope = torch.NewDisposeScope();
                    var batch = captions.GetRange(start, Math.Min(captionsPerBatch, captions.Count - start));
                    var embedded = model.TextEmbeddings(tokenizer.TokenizeToTensor(batch).to(device)).to(ScalarType.Float32);
                    progress?.Report(new JobProgress("embedding captions", start + batch.Count, captions.Count));
                    yield return embedded;
                }
            }
            return (Embed(), () => (Enumerable.Range(0, captions.Count).ToList(), new List<SkippedInput>()));
        }, model.Config.EmbedDim);
    }

    /// <summary>
    /// The embeddings <paramref name="description"/> names: from the cache folder (or, without one, <paramref name="stem"/>.npy
    /// in the output folder) when the index there describes the same thing, else computed straight into the .npy and
    /// indexed. <paramref name="compute"/> gives the rows as they stream and, once they are written, the table rows they
    /// belong to and the inputs it skipped.
    /// </summary>
    private static EmbeddingFile Cached(string description, string stem, ScanOptions options,
        Func<(IEnumerable<Tensor> Rows, Func<(List<int> TableRows, List<SkippedInput> Skipped)> Done)> compute, int width)
    {
        string folder = options.CacheDir is null ? options.Output : Path.Combine(options.CacheDir, "scan-embeddings");
        string name = options.CacheDir is null ? stem : ClassEmbeddingCache.Key(description);
        string npy = Path.Combine(folder, name + ".npy"), indexPath = Path.Combine(folder, name + ".json");
        Directory.CreateDirectory(folder);
        if (File.Exists(npy) && TryReadIndex(indexPath) is { } cached && cached.Description == description)
            return new EmbeddingFile(npy, cached.Rows, cached.Skipped, Hit: true);
        var (rows, done) = compute();
        NpyFile.WriteFloatRows(npy, width, rows);
        var (tableRows, skipped) = done();
        AtomicFile.WriteAllText(indexPath, JsonSerializer.Serialize(new EmbeddingIndex(description, tableRows.ToArray(), skipped), Json));
        return new EmbeddingFile(npy, tableRows, skipped, Hit: false);
    }

    // What identifies a row's image without reading it: its file's stamp; for a WebDataset sample, its shard's stamp
    // plus the member's name and place in the shard.
    private static (string Path, string Tag, RgbImage? Pixels) Stamp(CaptionRow row) =>
        row.Member is { } m ? (m.Shard, $"{m.Name}@{m.Offset}+{m.Length}", null) : (row.ImagePath, "", null);

    private static EmbeddingIndex? TryReadIndex(string path)
    {
        try { return File.Exists(path) ? JsonSerializer.Deserialize<EmbeddingIndex>(File.ReadAllText(path), Json) : null; }
        catch (JsonException) { return null; }
    }

    private static void WriteScores(Result result, bool[]? truth)
    {
        var ranks = result.Ranks();
        var detectors = Detectors.Columns.Where(result.Scores.ByDetector.ContainsKey).ToList();
        WriteCsv(result.ScoresPath, ',', csv =>
        {
            foreach (var name in new[] { "row", "line", "image", "caption" }) csv.WriteField(name);
            if (truth is not null) csv.WriteField(CaptionTableOptions.BackdoorKey);
            foreach (var detector in detectors) csv.WriteField(Detectors.Name(detector));
            csv.WriteField("rank");
            csv.NextRecord();
            for (int i = 0; i < result.Scored.Count; i++)
            {
                var row = result.Rows[result.Scored[i]];
                csv.WriteField(result.Scored[i].ToString(CultureInfo.InvariantCulture));
                csv.WriteField(row.Line.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(row.RelativePath);
                csv.WriteField(row.Caption);
                if (truth is not null) csv.WriteField(truth[i] ? "1" : "0");
                foreach (var detector in detectors) csv.WriteField(result.Scores.ByDetector[detector][i].ToString("R", CultureInfo.InvariantCulture));
                csv.WriteField(ranks[i].ToString(CultureInfo.InvariantCulture));
                csv.NextRecord();
            }
        });
    }

    /// <summary>Copies the input table record by record, header included, leaving out the flagged rows; returns how many were left out.</summary>
    private static int Filter(Result result, ScanOptions options)
    {
        var primary = result.Scores.PrimaryScores;
        var flagged = options.RemoveTop is { } top
            ? Ranking.Descending(primary).Take(top)
            : Enumerable.Range(0, primary.Length).Where(i => primary[i] >= options.Threshold!.Value);
        var lines = flagged.Select(i => result.Rows[result.Scored[i]].Line).ToHashSet();
        var input = Path.GetFullPath(options.TrainData);
        char delimiter = options.Table.DelimiterFor(input);
        using var table = CsvTable.Open(input, delimiter);
        WriteCsv(options.FilterOut!, delimiter, csv =>
        {
            foreach (var name in table.Header) csv.WriteField(name);
            csv.NextRecord();
            foreach (var (line, fields) in table.Records())
            {
                if (lines.Contains(line)) continue;
                foreach (var field in fields) csv.WriteField(field);
                csv.NextRecord();
            }
        });
        return lines.Count;
    }

    private static void WriteCsv(string path, char delimiter, Action<CsvWriter> write) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: true);
            using var csv = new CsvWriter(writer, new CsvHelper.Configuration.CsvConfiguration(CultureInfo.InvariantCulture) { Delimiter = delimiter.ToString() });
            write(csv);
        });

    /// <param name="embeddingsPath">The image embeddings, or the text ones for the text side.</param>
    /// <param name="textEmbeddingsPath">The joint side's text embeddings.</param>
    /// <param name="trusted">The trusted model's embeddings.</param>
    /// <param name="logitScale">The temperature multiplier pmi used, when it was scored.</param>
    private static void WriteSummary(Result result, ScanOptions options, ScanSettings settings, string embeddingsPath, string? textEmbeddingsPath,
        TrustedEmbeddingFiles? trusted, int scoredDim, double? logitScale)
    {
        var summary = new Dictionary<string, object?>
        {
            ["format"] = Format,
            ["table"] = ShardPattern.IsShardInput(options.TrainData) ? ShardPattern.Absolute(options.TrainData) : Path.GetFullPath(options.TrainData),
            ["checkpoint"] = options.Checkpoint,
            ["rows"] = result.Rows.Count,
            ["scored"] = result.Scored.Count,
            ["skipped"] = result.Skipped,
            ["side"] = options.Side.ToString().ToLowerInvariant(),
            ["embeddings"] = Path.GetFullPath(embeddingsPath),
            ["embed_dim"] = scoredDim,
            ["embeddings_from_cache"] = result.CacheHit,
            ["k"] = settings.K,
            ["reference_batch"] = settings.ReferenceBatch,
            ["reference_batches"] = result.Scores.Batches,
            ["seed"] = settings.Seed,
            // The model's; the reference batches' distances are fp32 either way.
            ["precision"] = options.Precision.ToString().ToLowerInvariant(),
            ["detectors"] = result.Scores.ByDetector.Keys.Select(Detectors.Name).ToList(),
            ["primary"] = Detectors.Name(result.Scores.Primary),
            ["multik_ks"] = result.Scores.MultiKs,
        };
        if (textEmbeddingsPath is not null) summary["text_embeddings"] = Path.GetFullPath(textEmbeddingsPath);
        if (logitScale is not null) summary["logit_scale"] = logitScale;
        if (trusted is not null)
        {
            summary["trusted_checkpoint"] = options.TrustedCheckpoint;
            summary["crossmodel_k"] = settings.CrossModelK;
            summary["trusted_embeddings"] = Path.GetFullPath(trusted.Images.Path);
            if (trusted.Captions is not null)
            {
                summary["trusted_vocab"] = options.TrustedVocab;
                summary["trusted_text_embeddings"] = Path.GetFullPath(trusted.Captions.Path);
            }
        }
        if (result.Metrics is not null)
            summary["metrics"] = result.Metrics.ToDictionary(p => Detectors.Name(p.Key), p => p.Value is null ? null : (object)new
            {
                auroc = p.Value.Auroc,
                auprc = p.Value.AveragePrecision,
                precision_at_poison_count = p.Value.PrecisionAtCount,
                recall_at_poison_count = p.Value.RecallAtCount,
                poisoned = p.Value.Poisoned,
                poisoned_ranks = p.Value.PoisonedRows.Zip(p.Value.PoisonedRanks, (row, rank) => new { row = result.Scored[row], rank }),
            });
        if (options.FilterOut is not null)
            summary["filter"] = new { output = Path.GetFullPath(options.FilterOut), remove_top = options.RemoveTop, threshold = options.Threshold, removed = result.Filtered };
        AtomicFile.WriteAllText(result.SummaryPath, JsonSerializer.Serialize(summary, Json));
    }
}
