using System.CommandLine;
using System.Globalization;
using CleanClip.Detection;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip scan</c>: score every pair of a training table for being a backdoor sample; optionally write it without the flagged rows.</summary>
public static class ScanCommand
{
    private const int SuspectsShown = 10;

    public static Command Create()
    {
        var d = new ScanOptions { Checkpoint = "", TrainData = "", Output = "" };
        var checkpoint = ModelCliOptions.Checkpoint("The model trained on the table: a checkpoint file (or a model name, fresh weights).", required: true);
        var config = new ModelConfigCliOptions();
        var trainData = DataCliOptions.TrainData($"{DataCliOptions.Pairs} to scan (never written to).", required: true);
        var imageKey = DataCliOptions.ImageKey(d.Table.ImageKey);
        var captionKey = DataCliOptions.CaptionKey(d.Table.CaptionKey);
        var delimiter = DataCliOptions.Delimiter();
        var manifest = new Option<string?>(OptionNames.Manifest) { Description = "cleanclip poison manifest.json giving the ground truth when the table has no is_backdoor column." };
        var detector = new Option<string>("--detector")
        {
            Description = "kdist, slof, dao, multik (k-free: largest standardised log k-distance over k = 4..256), pmi (how much more the model ties each image " +
                "to its caption than to the others; needs --vocab) and combined (multik and pmi), crossmodel (needs --trusted-checkpoint), " +
                "mismatch and trusted (also --trusted-vocab), or all (the first four; --vocab adds pmi and combined, a trusted model its own).",
            DefaultValueFactory = _ => "all",
        };
        var trusted = new Option<string?>("--trusted-checkpoint")
        {
            Description = "A model that did not learn this table's trigger (trained on other data, e.g. a public CLIP): adds the crossmodel score, how far apart " +
                "this model finds each image's nearest neighbours in the scanned model, which becomes the primary score (trusted, with --trusted-vocab).",
        };
        var trustedConfig = new Option<string?>("--trusted-model-config") { Description = "Architecture name of --trusted-checkpoint when the checkpoint does not say." };
        var trustedVocab = new Option<string?>("--trusted-vocab")
        {
            Description = "BPE vocabulary of --trusted-checkpoint: it embeds the captions too, adding mismatch (1 - its image-caption cosine) and trusted " +
                "(crossmodel and mismatch joined like multik), which becomes the primary score.",
        };
        var k = new Option<int>("--k") { Description = "Neighbourhood size of kdist, slof and dao.", DefaultValueFactory = _ => d.Settings.K };
        var crossModelK = new Option<int>("--crossmodel-k") { Description = "Neighbourhood size of crossmodel.", DefaultValueFactory = _ => d.Settings.CrossModelK };
        var referenceBatch = new Option<int>("--reference-batch") { Description = "Rows per random reference batch; neighbours are taken inside it.", DefaultValueFactory = _ => d.Settings.ReferenceBatch };
        var seed = CliOptions.Seed(d.Settings.Seed, "Seed of the random reference batches.");
        var side = new Option<ScanSide>("--side")
        {
            Description = "Which embedding of each pair is scored: Image (the paper's), Text (the caption), or Joint (both side by side); Text and Joint need --vocab.",
            DefaultValueFactory = _ => d.Side,
        };
        var vocab = ModelCliOptions.Vocab(use: "to embed the captions: needed by --side Text or Joint, and on the image side it adds pmi and combined, " +
            "which becomes the primary score");
        var output = OutputCliOptions.Out("Folder for scores.csv and scan.json.", required: true);
        var cacheDir = DataCliOptions.CacheDir("Image-embedding", d.CacheDir);
        var batch = CliOptions.BatchSize(d.BatchSize);
        var device = CliOptions.Device(d.Device);
        var precision = CliOptions.Precision(d.Precision);
        var forceBf16 = CliOptions.ForceBf16();
        var trustTorchScript = CliOptions.TrustTorchScript();
        var decodeThreads = DataCliOptions.DecodeThreads(d.DecodeThreads);
        var filterOut = new Option<string?>(OptionNames.FilterOut) { Description = "Write the table without the flagged rows to this new file (a CSV/TSV input only)." };
        var removeTop = new Option<int?>(OptionNames.RemoveTop) { Description = "With --filter-out: flag the N highest-ranked rows." };
        var threshold = new Option<double?>("--threshold") { Description = "With --filter-out: flag rows whose primary score is at least S." };
        var command = new Command("scan", "Score every image-caption pair of a training table for being a backdoor sample (k-distance, SLOF, DAO of Huang et al. 2025, a k-free ensemble; " +
            "with a trusted model, how far it disagrees with the scanned one).")
        {
            checkpoint, trainData, imageKey, captionKey, delimiter, manifest, detector, trusted, trustedConfig, trustedVocab, k, crossModelK, referenceBatch, seed, side, vocab, output, cacheDir,
            batch, device, precision, forceBf16, trustTorchScript, decodeThreads, filterOut, removeTop, threshold,
        };
        foreach (var option in config.All) command.Options.Add(option);
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var options = d with
            {
                Checkpoint = parse.GetValue(checkpoint)!, ModelConfig = config.Name(parse), Heads = config.Heads(parse), TrainData = parse.GetValue(trainData)!,
                Table = d.Table with { ImageKey = parse.GetValue(imageKey)!, CaptionKey = parse.GetValue(captionKey)!, Delimiter = parse.GetValue(delimiter) },
                Manifest = parse.GetValue(manifest), Side = parse.GetValue(side), Vocab = parse.GetValue(vocab),
                TrustedCheckpoint = parse.GetValue(trusted), TrustedModelConfig = parse.GetValue(trustedConfig), TrustedVocab = parse.GetValue(trustedVocab),
                Settings = d.Settings with
                {
                    Detectors = Detectors.Parse(parse.GetValue(detector)!), K = parse.GetValue(k), CrossModelK = parse.GetValue(crossModelK),
                    ReferenceBatch = parse.GetValue(referenceBatch), Seed = parse.GetValue(seed),
                },
                Output = parse.GetValue(output)!, CacheDir = parse.GetValue(cacheDir) ?? d.CacheDir, BatchSize = parse.GetValue(batch),
                Device = parse.GetValue(device)!, Precision = CliOptions.ChoosePrecision(parse, precision, forceBf16, parse.GetValue(device)!), TrustTorchScript = parse.GetValue(trustTorchScript),
                DecodeThreads = parse.GetValue(decodeThreads), FilterOut = parse.GetValue(filterOut), RemoveTop = parse.GetValue(removeTop),
                Threshold = parse.GetValue(threshold),
            };
            ConsoleUi.NoteFreshWeights(options.Checkpoint);
            if (options.TrustedCheckpoint is not null) ConsoleUi.NoteFreshWeights(options.TrustedCheckpoint);
            var result = ConsoleUi.WithProgress(progress => ScanJob.Run(options, progress));
            if (result.Input is { LeftOutAny: true } input)
                AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(options.TrainData)}: {Markup.Escape(input.Summary())}");
            if (result.Metrics is not null) AnsiConsole.Write(MetricsTable(result));
            AnsiConsole.Write(SuspectsTable(result));
            EmbedCommand.ReportSkipped(result.Skipped);
            if (result.CacheHit) AnsiConsole.MarkupLine($"[grey]{(options.Side == ScanSide.Image ? "image embeddings" : "embeddings")} from the cache[/]");
            if (result.Filtered is { } removed)
                AnsiConsole.MarkupLine($"removed {removed} row(s) → {Markup.Escape(options.FilterOut!)}");
            AnsiConsole.MarkupLine($"scores → {Markup.Escape(result.ScoresPath)}, summary → {Markup.Escape(result.SummaryPath)}");
            return 0;
        }));
        return command;
    }

    private static Table MetricsTable(ScanJob.Result result)
    {
        var table = new Table().AddColumns("detector", "AUROC", "AUPRC", "precision@n", "recall@n", "poisoned n");
        foreach (var (detector, metrics) in result.Metrics!)
            table.AddRow(metrics is null
                ? [Detectors.Name(detector), "-", "-", "-", "-", "-"]
                : [Detectors.Name(detector), Number(metrics.Auroc), Number(metrics.AveragePrecision), Number(metrics.PrecisionAtCount),
                   Number(metrics.RecallAtCount), metrics.Poisoned.ToString(CultureInfo.InvariantCulture)]);
        return table;
    }

    private static Table SuspectsTable(ScanJob.Result result)
    {
        var primary = result.Scores.PrimaryScores;
        var table = new Table().AddColumns("rank", "row", "image", "caption", Detectors.Name(result.Scores.Primary));
        table.Title = new TableTitle($"most suspect pairs (of {primary.Length})");
        foreach (var (i, rank) in Ranking.Descending(primary).Take(SuspectsShown).Select((i, r) => (i, r + 1)))
        {
            var row = result.Rows[result.Scored[i]];
            table.AddRow(rank.ToString(CultureInfo.InvariantCulture), result.Scored[i].ToString(CultureInfo.InvariantCulture),
                Markup.Escape(row.RelativePath), Markup.Escape(row.Caption), Number(primary[i]));
        }
        return table;
    }

    private static string Number(double value) => value.ToString("F3", CultureInfo.InvariantCulture);
}
