using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CleanClip.Evaluation;
using CleanClip.Poisoning;
using CleanClip.Poisoning.Dataset;
using CleanClip.Reporting;
using CleanClip.Training;

namespace CleanClip.Demo;

/// <summary>
/// An attack of the matrix: a trigger (<see cref="TriggerFactory.Names"/>, or the optimized patch in
/// <paramref name="TriggerFile"/>) and how the poisoned pairs are captioned.
/// </summary>
public sealed record MatrixAttack(string Name, string Trigger, PoisonMode Mode, string? TriggerFile = null);

/// <summary>
/// A defense of the matrix: none (the poisoned model itself), a cleaning method, supervised finetuning, or scan + filter
/// + retrain (the dataset-side defense).
/// </summary>
public sealed record MatrixDefense(string Name, TrainingMethod? Method)
{
    public bool IsNone => Name == MatrixJob.NoDefense;
    public bool IsSupervised => Name == MatrixJob.SupervisedDefense;
    public bool IsFilter => Name == MatrixJob.FilterDefense;
}

/// <summary>One cell's numbers on one seed: zero-shot CA@1, ASR@1, ASR@5 (supervised: its own head's) and the linear probe's CA and ASR.</summary>
public sealed record MatrixCell(ulong Seed, string Attack, string Defense, double? CleanAccuracy, double? AttackSuccessRate,
    double? AttackSuccessRate5, double? LinearProbeAccuracy, double? LinearProbeAttackSuccessRate);

/// <summary>One (attack, defense) pair over the seeds.</summary>
public sealed record MatrixSummary(string Attack, string Defense, MetricSpread? CleanAccuracy, MetricSpread? AttackSuccessRate,
    MetricSpread? AttackSuccessRate5, MetricSpread? LinearProbeAttackSuccessRate);

public sealed record MatrixOptions
{
    /// <summary>The demo recipe every cell follows (world, sizes, epochs, target, poison rate); its trigger, seed and methods are set per cell.</summary>
    public required DemoOptions Demo { get; init; }
    public required IReadOnlyList<MatrixAttack> Attacks { get; init; }
    public required IReadOnlyList<MatrixDefense> Defenses { get; init; }
    public IReadOnlyList<ulong> Seeds { get; init; } = [1];
    public required string Output { get; init; }
}

public sealed record MatrixResult(string Output, IReadOnlyList<MatrixCell> Cells, IReadOnlyList<MatrixSummary> Summary,
    string Json, string Table, string Heatmap, string Scatter, int CellsRun, int CellsSkipped, int PoisonedModelsTrained, TimeSpan Elapsed);

/// <summary>
/// <c>cleanclip matrix</c>: every attack against every defense, with the demo's stages (<see cref="DemoJob"/>). Per seed the
/// world is built once (OUT/seed-S/world, marked by world.json); per (attack, seed) the pretraining pairs are poisoned and
/// a model is trained once (OUT/seed-S/ATTACK/poisoned); each defense then cleans that model in OUT/seed-S/ATTACK/DEFENSE
/// and the cell is evaluated there (cell.json). A cell whose run folder holds <see cref="RunCompletion.FileName"/> (for
/// "none": the poisoned run's) and whose cell.json exists is skipped, so a killed matrix continues where it stopped.
/// </summary>
public static class MatrixJob
{
    public const string OutputTag = "cleanclip-matrix/1";
    public const string Format = "cleanclip-matrix/1";
    public const string JsonName = "matrix.json";
    public const string TableName = "matrix.md";
    public const string HeatmapName = "asr-heatmap.png";
    public const string ScatterName = "ca-vs-asr.png";
    public const string CellFile = "cell.json";
    public const string WorldMarker = "world.json";
    public const string AttackMarker = "attack.json";
    /// <summary>The recipe the folder's cells were made with; a rerun must ask for the same one (<see cref="KeepRecipe"/>).</summary>
    public const string RecipeFile = "recipe.json";
    public const string PoisonedFolder = "poisoned";
    public const string NoDefense = "none";
    public const string SupervisedDefense = "supervised";
    public const string FilterDefense = "filter";
    public const string LabelConsistentAttack = "label-consistent";

    /// <summary>Every attack the matrix runs: each trigger as a dirty-label attack, and the BadNet patch label-consistent.</summary>
    public static IReadOnlyList<MatrixAttack> KnownAttacks { get; } =
        [.. TriggerFactory.Names.Select(n => new MatrixAttack(n, n, PoisonMode.DirtyLabel)), new MatrixAttack(LabelConsistentAttack, "badnet", PoisonMode.LabelConsistent)];

    /// <summary>Every defense the matrix runs, in table order.</summary>
    public static IReadOnlyList<MatrixDefense> KnownDefenses { get; } =
    [
        new(NoDefense, null), new("mmcl", TrainingMethod.Mmcl), new("cleanclip", TrainingMethod.CleanClip), new("ssl", TrainingMethod.Ssl),
        new(SupervisedDefense, null), new("par", TrainingMethod.Par), new(FilterDefense, null),
    ];

    /// <summary>
    /// A comma-separated list of attacks (case-insensitive), e.g. <c>badnet,blended,sig</c>; <c>optimized</c> poisons
    /// with the patch in <paramref name="triggerFile"/> (from <c>cleanclip trigger optimize</c>).
    /// </summary>
    /// <exception cref="ArgumentException">One line naming the unknown, unsupported or repeated attack.</exception>
    public static IReadOnlyList<MatrixAttack> ParseAttacks(string text, string? triggerFile = null)
    {
        var known = triggerFile is null ? KnownAttacks
            : [.. KnownAttacks, .. TriggerFactory.FileNames.Select(n => new MatrixAttack(n, n, PoisonMode.DirtyLabel, Path.GetFullPath(triggerFile)))];
        return ParseList(text, "--attacks", "attack", known, a => a.Name, name =>
            triggerFile is null && TriggerFactory.FileNames.Contains(name)
                ? $"--attacks: '{name}' needs its patch: pass --trigger-file F (from `cleanclip trigger optimize`)"
                : null);
    }

    /// <summary>A comma-separated list of defenses (case-insensitive), e.g. <c>none,mmcl,cleanclip</c>.</summary>
    public static IReadOnlyList<MatrixDefense> ParseDefenses(string text) => ParseList(text, "--defenses", "defense", KnownDefenses, d => d.Name, _ => null);

    private static IReadOnlyList<T> ParseList<T>(string text, string option, string what, IReadOnlyList<T> known, Func<T, string> name, Func<string, string?> unsupported)
    {
        var chosen = new List<T>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var key = part.ToLowerInvariant();
            if (unsupported(key) is { } message) throw new ArgumentException(message);
            var item = known.FirstOrDefault(k => name(k) == key);
            if (item is null) throw new ArgumentException($"{option}: unknown {what} '{part}'; known {what}s: {string.Join(", ", known.Select(name))}");
            if (chosen.Contains(item)) throw new ArgumentException($"{option}: {what} '{part}' is listed twice");
            chosen.Add(item);
        }
        return chosen.Count > 0 ? chosen : throw new ArgumentException($"{option} '{text}': no {what} (known {what}s: {string.Join(", ", known.Select(name))})");
    }

    /// <summary>What was built for a seed, recorded in world.json once the world (and its labeled images) are in place.</summary>
    private sealed record WorldRecord(DemoJob.DemoWorldFiles Files, string? Labeled);

    /// <summary>What was built for an (attack, seed) before pretraining, recorded in attack.json.</summary>
    private sealed record AttackRecord(string PoisonTable, string Vocab);

    private static readonly JsonSerializerOptions Json = new(EvalResults.Json) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public static MatrixResult Run(MatrixOptions options, IDemoUi ui, CancellationToken cancellation = default)
    {
        if (options.Seeds.Count == 0 || options.Seeds.Distinct().Count() != options.Seeds.Count) throw new ArgumentException("--seeds: give one or more distinct seeds");
        if (options.Attacks.Count == 0 || options.Defenses.Count == 0) throw new ArgumentException("the matrix needs at least one attack and one defense");
        var clock = Stopwatch.StartNew();
        var demo = options.Demo;
        bool real = demo.WorldKind == DemoWorldKind.Real;
        string? dataDir = real ? DemoData.Find(demo.Real.Data) : null;
        var output = Path.GetFullPath(options.Output);
        foreach (var attack in options.Attacks) DemoJob.CheckTrigger(ForAttack(demo, attack));
        Claim(output, dataDir);
        KeepRecipe(output, demo);
        // The folder holds a finished matrix only from the end of this run on (a sweep decides from the marker).
        RunCompletion.Clear(output);
        bool supervised = options.Defenses.Any(d => d.IsSupervised);
        // Every cleaning method of the matrix, so WordNet is chosen once for all of them (DemoJob.Clean).
        demo = demo with
        {
            Methods = options.Defenses.Where(d => d.Method is not null).Select(d => d.Method!.Value).ToList(),
            Supervised = supervised ? demo.Supervised ?? new DemoOptions().Supervised : demo.Supervised,
        };
        var cells = new List<MatrixCell>();
        int run = 0, skipped = 0, trained = 0;
        foreach (var seed in options.Seeds)
        {
            var seedOptions = demo with { Seed = seed };
            var seedDir = Path.Combine(output, DemoSeeds.SeedFolder(seed));
            var seedUi = new PrefixUi(ui, string.Create(CultureInfo.InvariantCulture, $"seed {seed} · "));
            WorldRecord? world = null;
            WorldRecord World() => world ??= BuildWorld(seedOptions, dataDir, seedDir, supervised || demo.LinearProbe, seedUi);
            foreach (var attack in options.Attacks)
            {
                cancellation.ThrowIfCancellationRequested();
                var attackOptions = ForAttack(seedOptions, attack);
                var attackDir = Path.Combine(seedDir, attack.Name);
                var attackUi = new PrefixUi(seedUi, attack.Name + " · ");
                var poisonedRun = Path.Combine(attackDir, PoisonedFolder);
                AttackRecord? built = null;
                AttackRecord Attack() => built ??= Prepare(attackOptions, World().Files, attack, attackDir, attackUi);
                string? poisonedModel = null;
                string PoisonedModel()
                {
                    if (poisonedModel is not null) return poisonedModel;
                    if (ModelOf(poisonedRun) is { } done) return poisonedModel = done;
                    var a = Attack();
                    trained++;
                    return poisonedModel = DemoJob.Pretrain(attackOptions, a.PoisonTable, a.Vocab, poisonedRun, "train a CLIP on the poisoned pairs", attackUi, [], cancellation).Model;
                }
                foreach (var defense in options.Defenses)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var cellDir = Path.Combine(attackDir, defense.Name);
                    var runDir = defense.IsNone ? poisonedRun : cellDir;
                    if (ReadCell(cellDir) is { } finished && RunCompletion.IsComplete(runDir))
                    {
                        cells.Add(finished);
                        skipped++;
                        continue;
                    }
                    var files = World().Files;
                    var model = PoisonedModel();
                    var vocab = Attack().Vocab;
                    var evalDir = Path.Combine(cellDir, "eval");
                    CheckpointEval eval;
                    if (defense.IsSupervised)
                    {
                        var (supervisedModel, head) = DemoJob.Supervise(attackOptions, model, World().Labeled!, vocab, cellDir, attackUi, [], cancellation);
                        eval = DemoJob.EvaluateSupervised(attackOptions, supervisedModel, head, files, vocab);
                    }
                    else
                    {
                        // A run that completed before its evaluation was cut short is evaluated, not trained again.
                        if (defense.Method is { } method)
                            model = ModelOf(cellDir) ?? DemoJob.Clean(attackOptions, method, files, model, vocab, cellDir, $"clean: {DemoJob.Describe(method)}", attackUi, [], cancellation).Model;
                        else if (defense.IsFilter)
                            model = ModelOf(cellDir) ?? DemoJob.FilterAndRetrain(attackOptions, files, Attack().PoisonTable, model, vocab, Path.Combine(attackDir, "filter-scan"), cellDir,
                                "scan, filter and retrain", attackUi, [], cancellation, reuseFinishedRounds: true).Model;
                        var probe = demo.LinearProbe ? World().Labeled : null;
                        eval = DemoJob.Evaluate(attackOptions, [(defense.Name, model)], files, vocab, probe, evalDir, $"evaluate {defense.Name}", attackUi, []).Results.Checkpoints[0];
                    }
                    var cell = new MatrixCell(seed, attack.Name, defense.Name, eval.CleanAccuracy?["1"], eval.AttackSuccessRate?["1"], At(eval.AttackSuccessRate, "5"),
                        eval.LinearProbeAccuracy, eval.LinearProbeAttackSuccessRate);
                    // Written last: with the run's completion marker it is what makes the cell done.
                    Directory.CreateDirectory(cellDir);
                    AtomicFile.WriteAllText(Path.Combine(cellDir, CellFile), JsonSerializer.Serialize(cell, Json) + "\n");
                    cells.Add(cell);
                    run++;
                    WriteOutputs(options, output, cells);
                }
            }
        }
        var summary = Summarize(cells);
        var (json, table, heatmap, scatter) = WriteOutputs(options, output, cells);
        RunCompletion.Write(output, 0, json);
        return new MatrixResult(output, cells, summary, json, table, heatmap, scatter, run, skipped, trained, clock.Elapsed);
    }

    /// <summary>
    /// Summarises matrices that ran elsewhere (one finished matrix folder per seed, the points of a sweep, say): reads
    /// each folder's matrix.json cells and writes the combined table, JSON and charts into <see cref="MatrixOptions.Output"/>.
    /// </summary>
    public static MatrixResult Collect(MatrixOptions options, IReadOnlyList<string> folders)
    {
        var cells = new List<MatrixCell>();
        foreach (var folder in folders)
        {
            var path = Path.Combine(folder, JsonName);
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path));
                cells.AddRange(document.RootElement.GetProperty("cells").Deserialize<List<MatrixCell>>(Json) ?? throw new InvalidDataException($"{path}: 'cells' is null"));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new InvalidDataException($"{path}: not a matrix's results ({e.Message})", e);
            }
        }
        var output = Path.GetFullPath(options.Output);
        Directory.CreateDirectory(output);
        var (json, table, heatmap, scatter) = WriteOutputs(options, output, cells);
        return new MatrixResult(output, cells, Summarize(cells), json, table, heatmap, scatter, 0, cells.Count, 0, TimeSpan.Zero);
    }

    private static double? At(IReadOnlyDictionary<string, double>? byK, string k) => byK is not null && byK.TryGetValue(k, out var v) ? v : null;

    /// <summary>The final weights of a completed run folder, or null when it has not completed.</summary>
    private static string? ModelOf(string runDir) =>
        RunCompletion.Read(runDir) is { } marker && File.Exists(Path.Combine(runDir, marker.Model)) ? Path.Combine(runDir, marker.Model) : null;

    private static MatrixCell? ReadCell(string cellDir)
    {
        var path = Path.Combine(cellDir, CellFile);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<MatrixCell>(File.ReadAllText(path), Json); }
        catch (JsonException) { return null; }
    }

    /// <summary>The seed's world and labeled images, reused from world.json when a previous run built them.</summary>
    private static WorldRecord BuildWorld(DemoOptions options, string? dataDir, string seedDir, bool labeled, IDemoUi ui)
    {
        var marker = Path.Combine(seedDir, WorldMarker);
        if (File.Exists(marker) && JsonSerializer.Deserialize<WorldRecord>(File.ReadAllText(marker), Json) is { } done && (!labeled || done.Labeled is not null))
            return done;
        Directory.CreateDirectory(seedDir);
        var files = DemoJob.BuildWorld(options, dataDir, seedDir, ui, []);
        var record = new WorldRecord(files, labeled ? DemoJob.LabeledData(options, files, seedDir, ui, []) : files.LabeledData);
        AtomicFile.WriteAllText(marker, JsonSerializer.Serialize(record, Json) + "\n");
        return record;
    }

    /// <summary>The attack's poisoned pretraining table (beside the world's clean one) and its vocabulary, reused from attack.json when present.</summary>
    private static AttackRecord Prepare(DemoOptions options, DemoJob.DemoWorldFiles world, MatrixAttack attack, string attackDir, IDemoUi ui)
    {
        var marker = Path.Combine(attackDir, AttackMarker);
        if (File.Exists(marker) && JsonSerializer.Deserialize<AttackRecord>(File.ReadAllText(marker), Json) is { } done) return done;
        Directory.CreateDirectory(attackDir);
        var poison = DemoJob.Poison(options, world, $"poisoned-{attack.Name}", "poison the pretraining pairs", ui, []);
        var vocab = DemoJob.Vocabulary(options, world, poison.Table, Path.Combine(attackDir, "vocab.txt.gz"), []);
        var record = new AttackRecord(poison.Table, vocab);
        AtomicFile.WriteAllText(marker, JsonSerializer.Serialize(record, Json) + "\n");
        return record;
    }

    /// <summary>The recipe with the attack's trigger and poisoning mode.</summary>
    private static DemoOptions ForAttack(DemoOptions recipe, MatrixAttack attack) =>
        recipe with { Trigger = recipe.Trigger with { Name = attack.Trigger, TriggerFile = attack.TriggerFile }, PoisonMode = attack.Mode };

    /// <summary>
    /// A rerun reuses the folder's worlds, poisoned models and cells as they are, so it must ask for the recipe they were
    /// made with: the first run writes it to <see cref="RecipeFile"/>, and a rerun whose recipe differs is refused,
    /// naming the first differences. Attacks, defenses and seeds may change between runs (each has its own folders);
    /// where the data lies, the device and the output path are not part of the recipe.
    /// </summary>
    public static void KeepRecipe(string output, DemoOptions demo)
    {
        var recipe = JsonSerializer.SerializeToNode(demo with
        {
            Output = "", Seed = 0, Methods = [], Real = demo.Real with { Data = null }, Device = "", DecodeThreads = 0, Overwrite = false,
        }, Json)!;
        var path = Path.Combine(output, RecipeFile);
        if (!File.Exists(path))
        {
            AtomicFile.WriteAllText(path, recipe.ToJsonString(Json) + "\n");
            return;
        }
        JsonNode? earlier;
        try { earlier = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not the JSON recipe this matrix folder was run with ({e.Message})"); }
        var differences = Differences(earlier, recipe, "").ToList();
        if (differences.Count > 0)
            throw new ArgumentException($"--out {output}: its cells were made with another recipe ({string.Join("; ", differences.Take(3))}"
                + (differences.Count > 3 ? $"; {differences.Count - 3} more" : "") + "); rerun with the same options or choose a new folder");
    }

    /// <summary>Where two JSON trees differ, as <c>Path: earlier → now</c>.</summary>
    private static IEnumerable<string> Differences(JsonNode? earlier, JsonNode? now, string path)
    {
        if (earlier is JsonObject a && now is JsonObject b)
        {
            foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
                foreach (var d in Differences(a[key], b[key], path.Length == 0 ? key : $"{path}.{key}"))
                    yield return d;
            yield break;
        }
        string Text(JsonNode? n) => n?.ToJsonString() ?? "(none)";
        if (Text(earlier) != Text(now)) yield return $"{path}: {Text(earlier)} → {Text(now)}";
    }

    /// <summary>Makes <paramref name="output"/> a matrix's folder (<see cref="DemoJob.ClaimOutput"/>).</summary>
    internal static void Claim(string output, string? dataDir) => DemoJob.ClaimOutput(output, OutputTag, "matrix", dataDir);

    /// <summary>Each (attack, defense) over the seeds, in the order the cells were listed.</summary>
    public static IReadOnlyList<MatrixSummary> Summarize(IReadOnlyList<MatrixCell> cells) =>
        cells.GroupBy(c => (c.Attack, c.Defense)).Select(g => new MatrixSummary(g.Key.Attack, g.Key.Defense,
            MetricSpread.Of(g.Select(c => c.CleanAccuracy)), MetricSpread.Of(g.Select(c => c.AttackSuccessRate)),
            MetricSpread.Of(g.Select(c => c.AttackSuccessRate5)), MetricSpread.Of(g.Select(c => c.LinearProbeAttackSuccessRate)))).ToList();

    /// <summary>
    /// matrix.json, matrix.md and the two charts from the cells so far, each written atomically. They hold no times, so
    /// the same cells give the same bytes.
    /// </summary>
    private static (string Json, string Table, string Heatmap, string Scatter) WriteOutputs(MatrixOptions options, string output, IReadOnlyList<MatrixCell> cells)
    {
        var ordered = cells.OrderBy(c => options.Seeds.ToList().IndexOf(c.Seed)).ThenBy(c => IndexOf(options.Attacks, c.Attack))
            .ThenBy(c => IndexOf(options.Defenses, c.Defense)).ToList();
        var summary = Summarize(ordered.OrderBy(c => IndexOf(options.Attacks, c.Attack)).ThenBy(c => IndexOf(options.Defenses, c.Defense)).ToList());
        string json = Path.Combine(output, JsonName), table = Path.Combine(output, TableName);
        string heatmap = Path.Combine(output, HeatmapName), scatter = Path.Combine(output, ScatterName);
        AtomicFile.WriteAllText(json, JsonSerializer.Serialize(new
        {
            format = Format,
            world_kind = options.Demo.WorldKind,
            target = options.Demo.Target,
            poison_rate = options.Demo.PoisonRate,
            attacks = options.Attacks.Select(a => a.Name),
            defenses = options.Defenses.Select(d => d.Name),
            seeds = options.Seeds,
            cells = ordered,
            summary,
            table = TableName,
        }, Json) + "\n");
        AtomicFile.WriteAllText(table, Markdown(options, summary));
        var values = new double?[options.Attacks.Count, options.Defenses.Count];
        foreach (var s in summary) values[IndexOf(options.Attacks, s.Attack), IndexOf(options.Defenses, s.Defense)] = s.AttackSuccessRate?.Mean;
        ReportPlots.Heatmap(options.Attacks.Select(a => a.Name).ToList(), options.Defenses.Select(d => d.Name).ToList(), values,
            $"ASR@1 (mean over {options.Seeds.Count} seed{(options.Seeds.Count == 1 ? "" : "s")}; lower is better)", heatmap, 900, 120 + 60 * options.Attacks.Count);
        ReportPlots.Pareto(summary.Select(s => new ReportPlots.Point(s.Attack, s.Defense, s.CleanAccuracy?.Mean, s.AttackSuccessRate?.Mean)).ToList(),
            scatter, 900, 650, front: false);
        return (json, table, heatmap, scatter);
    }

    private static int IndexOf(IReadOnlyList<MatrixAttack> attacks, string name) => attacks.Select(a => a.Name).ToList().IndexOf(name);
    private static int IndexOf(IReadOnlyList<MatrixDefense> defenses, string name) => defenses.Select(d => d.Name).ToList().IndexOf(name);

    /// <summary>One row per (attack, defense): mean (min–max) over the seeds of CA@1, ASR@1 and the linear probe's ASR; percentages.</summary>
    public static string Markdown(MatrixOptions options, IReadOnlyList<MatrixSummary> summary)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"# cleanclip matrix: {options.Attacks.Count} attacks × {options.Defenses.Count} defenses ({options.Demo.WorldKind.ToString().ToLowerInvariant()} world, target {options.Demo.Target}, seeds {string.Join(", ", options.Seeds)})\n\n");
        text.Append("| attack | defense | CA@1 | ASR@1 | LP ASR |\n|---|---|---|---|---|\n");
        foreach (var s in summary)
            text.Append(CultureInfo.InvariantCulture, $"| {s.Attack} | {s.Defense} | {DemoSeeds.Spread(s.CleanAccuracy)} | {DemoSeeds.Spread(s.AttackSuccessRate)} | {DemoSeeds.Spread(s.LinearProbeAttackSuccessRate)} |\n");
        text.Append("\nMean (min–max) over the seeds. CA@1: zero-shot top-1 on clean test images (supervised: its own head); ASR@1: share of triggered non-target test images classified as the target; LP ASR: the same for a linear probe on the frozen image features. Every number: ")
            .Append(JsonName).Append("; ASR@1 heatmap: ").Append(HeatmapName).Append("; CA against ASR: ").Append(ScatterName).Append(".\n");
        return text.ToString();
    }

    /// <summary>Prefixes every stage heading, so the CLI's headings say which seed and attack they belong to.</summary>
    private sealed class PrefixUi(IDemoUi inner, string prefix) : IDemoUi
    {
        public T Stage<T>(string heading, Func<IProgress<JobProgress>, T> work) => inner.Stage(prefix + heading, work);
        public T Training<T>(string heading, Func<IProgress<TrainingProgress>, T> work) => inner.Training(prefix + heading, work);
    }
}
