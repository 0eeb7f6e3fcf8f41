using System.Reflection;
using CleanClip.Data;
using CleanClip.Evaluation;
using CleanClip.Poisoning;
using CleanClip.Poisoning.Dataset;
using CleanClip.Presets;
using CleanClip.Training;
using CleanClip.Training.Supervised;
using Xunit;
using PresetTable = CleanClip.Presets.Presets;

namespace CleanClip.Tests.Presets;

/// <summary>
/// The reference preset sets every reference-compatibility switch: each value marked [ReferenceSwitch] (docs §14's
/// options) wherever it appears in the option records of the commands that take --preset, plus the switches that are
/// values rather than marks (templates, trigger resolution, probe batch).
/// </summary>
public class PresetTests
{
    /// <summary>The records the preset commands read, by the name the tests print: each with its default values.</summary>
    private static readonly (string Name, object Defaults)[] Roots =
    [
        ("train", new TrainJobOptions()),
        ("clean", new TrainJobOptions { Training = TrainingOptions.Cleaning() }),
        ("train/clean epoch evaluation trigger", new TriggerOptions()),
        ("poison", new PoisonJobOptions { Input = "" }),
        ("eval", new EvalOptions { Checkpoints = [], EvalData = "", Vocab = "" }),
        ("finetune-supervised", new SupervisedJobOptions()),
    ];

    /// <summary>
    /// Marked switches inside the preset commands' records that the preset leaves alone on purpose, with the reason.
    /// A path is the root record's type and the properties down to the switch.
    /// </summary>
    private static readonly Dictionary<string, string> LeftAlone = new()
    {
        ["TrainJobOptions.Table.BackdoorFromPath"] = "training never reads the poison flag (only scan's ground truth does)",
        ["PoisonJobOptions.Table.BackdoorFromPath"] = "poisoning never reads the poison flag of its input",
        ["EvalOptions.RetrievalTable.BackdoorFromPath"] = "retrieval never reads the poison flag",
        ["EvalOptions.Retrieval.TriggerResize"] = "eval derives it from ReferenceAsr",
    };

    /// <summary>
    /// Option records with a marked switch that no preset command reads, with the reason: the commands that take them
    /// have no --preset, or the value is copied from a record the preset sets.
    /// </summary>
    private static readonly Dictionary<string, string> OutsidePresets = new()
    {
        ["EmbedOptions.Truncation"] = "embed has no --preset",
        ["ZeroShotOptions.Truncation"] = "zeroshot has no --preset",
        ["TriggerSheetOptions.ResizeMode"] = "triggers has no --preset",
        ["TokenizerOptions.Truncation"] = "the jobs fill it from their own Truncation",
    };

    [Fact]
    public void TheReferencePresetSetsEveryMarkedSwitchOfThePresetCommands()
    {
        var failures = new List<string>();
        foreach (var (name, defaults) in Roots)
        {
            var reference = Apply(Preset.Reference, defaults);
            foreach (var site in Sites(defaults, reference, defaults.GetType().Name))
            {
                if (LeftAlone.ContainsKey(site.Path)) continue;
                if (!Equals(site.Reference, site.Expected)) failures.Add($"{name}: {site.Path} is {site.Reference} under the reference preset, not {site.Expected}");
                if (Equals(site.Default, site.Expected)) failures.Add($"{name}: {site.Path} is already {site.Expected} by default, so it is no correction");
            }
        }
        Assert.Empty(failures);
    }

    [Fact]
    public void EveryMarkedSwitchOfTheLibraryIsReachedByAPresetCommandOrListedWithAReason()
    {
        var reached = Roots.SelectMany(r => Sites(r.Defaults, r.Defaults, r.Defaults.GetType().Name)).Select(s => s.Declared).ToHashSet();
        var all = typeof(Preset).Assembly.GetTypes()
            .Where(t => t.IsClass && t.IsPublic && t.Name.EndsWith("Options", StringComparison.Ordinal))
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => Expected(p) is not null).Select(p => $"{t.Name}.{p.Name}"))
            .ToHashSet();
        Assert.Empty(all.Except(reached).Except(OutsidePresets.Keys));
        Assert.Empty(OutsidePresets.Keys.Except(all));   // no stale entry
        var paths = Roots.SelectMany(r => Sites(r.Defaults, r.Defaults, r.Defaults.GetType().Name)).Select(s => s.Path).ToHashSet();
        Assert.Empty(LeftAlone.Keys.Except(paths));
    }

    // A value named after the reference is a reference-compatibility switch: it must carry the mark the preset tests find.
    [Fact]
    public void EveryEnumValueNamedReferenceIsMarked()
    {
        var unmarked = typeof(Preset).Assembly.GetTypes().Where(t => t.IsEnum && t != typeof(Preset))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (Type: t, Field: f)))
            .Where(x => x.Field.Name.StartsWith("Reference", StringComparison.Ordinal) && x.Field.GetCustomAttribute<ReferenceSwitchAttribute>() is null)
            .Select(x => $"{x.Type.Name}.{x.Field.Name}");
        Assert.Empty(unmarked);
    }

    [Fact]
    public void TheReferencePresetSetsTheValueSwitches()
    {
        var poison = Preset.Reference.Apply(new PoisonJobOptions { Input = "" });
        Assert.Equal(80, poison.Poison.Templates.Count);
        Assert.Equal(80, poison.Poison.Templates.Distinct().Count());
        Assert.All(poison.Poison.Templates, t => Assert.Contains("{}", t));
        Assert.Equal(PromptTemplates.ImageNet, poison.Poison.Templates);
        Assert.Equal(224, poison.Resolution);
        Assert.Equal(128, Preset.Reference.Apply(new EvalOptions { Checkpoints = [], EvalData = "", Vocab = "" }).LinearProbe.BatchSize);
        Assert.Equal(Preset.Reference, Preset.Reference.Apply(new TrainJobOptions()).Training.Preset);
    }

    [Fact]
    public void TheDefaultPresetChangesNothing()
    {
        foreach (var (_, defaults) in Roots) Assert.Same(defaults, Apply(Preset.Default, defaults));
        Assert.Empty(Preset.Default.Switches(PresetTable.Train));
    }

    // The table the note and the docs show names a switch once per command that takes it, and every preset command has some.
    [Fact]
    public void TheSwitchTableCoversEveryPresetCommand()
    {
        string[] commands = [PresetTable.Poison, PresetTable.Train, PresetTable.Clean,
            PresetTable.Eval, PresetTable.FinetuneSupervised];
        foreach (var command in commands) Assert.NotEmpty(Preset.Reference.Switches(command));
        Assert.All(PresetTable.ReferenceSwitches, s => Assert.Subset(commands.ToHashSet(), s.Commands.ToHashSet()));
        Assert.Equal(PresetTable.ReferenceSwitches.Count, PresetTable.ReferenceSwitches.Select(s => s.ToString()).Distinct().Count());
    }

    // docs/reference-behaviour.md's preset section shows the same table: every switch, with its value and commands.
    [Fact]
    public void TheDocsListEverySwitchOfTheTable()
    {
        var docs = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "reference-behaviour.md"));
        int start = docs.IndexOf("## 15.", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/reference-behaviour.md has no §15");
        var section = docs[start..];
        var rows = section.Split('\n').Where(l => l.StartsWith('|')).ToList();
        foreach (var s in PresetTable.ReferenceSwitches)
        {
            var row = rows.FirstOrDefault(r => s.Option is null ? r.Contains(s.Value, StringComparison.Ordinal) : r.Contains($"`{s.Option}`", StringComparison.Ordinal));
            Assert.True(row is not null, $"§15 has no row for {s}");
            if (s.Option is not null) Assert.Contains(s.Value.Trim('(', ')'), row);
            Assert.All(s.Commands, c => Assert.Contains(c, row));
        }
    }

    [Fact]
    public void ARunFolderTellsItsRecordedPreset()
    {
        using var dir = new TempDir();
        Assert.Equal(Preset.Default, TrainJob.RecordedPreset(dir.File("missing")));
        var state = new TrainingState
        {
            Options = Preset.Reference.Apply(new TrainingOptions()), TrainData = "t.csv", TrainDataFingerprint = "0", Init = "RN50", Vocab = "v.gz",
        };
        File.WriteAllText(dir.File(Trainer.ConfigFileName), $"{{\n\"model\": {{}},\n\"run\": {state.ToJson()}\n}}\n");
        Assert.Contains("\"preset\": \"reference\"", File.ReadAllText(dir.File(Trainer.ConfigFileName)));
        Assert.Equal(Preset.Reference, TrainJob.RecordedPreset(dir.Path));
        File.WriteAllText(dir.File(Trainer.ConfigFileName), "{ not json");
        Assert.Equal(Preset.Default, TrainJob.RecordedPreset(dir.Path));
    }

    [Fact]
    public void ResumingWithAnotherPresetIsRefusedNamingTheRunsPreset()
    {
        var stored = Preset.Reference.Apply(new TrainingOptions());
        var conflicts = new List<string>();
        ResumeCheck.Compare(stored, new TrainingOptions(), new Dictionary<string, string> { [nameof(TrainingOptions.Preset)] = "--preset" }, conflicts, []);
        Assert.Equal(["--preset Default (the run has Reference)"], conflicts);
        Assert.Equal(Preset.Reference, ResumeCheck.Merge(stored, new TrainingOptions(), new Dictionary<string, string>()).Preset);
    }

    private static object Apply(Preset preset, object options) => options switch
    {
        TrainJobOptions o => preset.Apply(o),
        TriggerOptions o => preset.Apply(o),
        PoisonJobOptions o => preset.Apply(o),
        EvalOptions o => preset.Apply(o),
        SupervisedJobOptions o => preset.Apply(o),
        _ => throw new ArgumentException(options.GetType().Name),
    };

    private sealed record Site(string Path, string Declared, object? Default, object? Reference, object Expected);

    /// <summary>Every marked switch in <paramref name="defaults"/> and the option records it holds, with its value in both.</summary>
    private static IEnumerable<Site> Sites(object defaults, object reference, string path)
    {
        foreach (var property in defaults.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0) continue;
            object? before = property.GetValue(defaults), after = property.GetValue(reference);
            var here = $"{path}.{property.Name}";
            if (Expected(property) is { } expected)
                yield return new Site(here, $"{property.DeclaringType!.Name}.{property.Name}", before, after, expected);
            else if (property.PropertyType.Assembly == typeof(Preset).Assembly && property.PropertyType.IsClass
                     && property.PropertyType.Name.EndsWith("Options", StringComparison.Ordinal) && before is not null && after is not null)
                foreach (var site in Sites(before, after, here)) yield return site;
        }
    }

    /// <summary>The reference value of a switch: true for a marked bool, the marked member of an enum; null for anything else.</summary>
    private static object? Expected(PropertyInfo property)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (type == typeof(bool)) return property.GetCustomAttribute<ReferenceSwitchAttribute>() is null ? null : true;
        if (!type.IsEnum) return null;
        var marked = type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.GetCustomAttribute<ReferenceSwitchAttribute>() is not null).ToList();
        return marked.Count == 1 ? marked[0].GetValue(null) : null;
    }
}
