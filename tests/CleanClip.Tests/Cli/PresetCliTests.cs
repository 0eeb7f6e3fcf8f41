using System.CommandLine;
using System.Text.Json;
using CleanClip.Cli.Commands;
using CleanClip.Data;
using CleanClip.Evaluation;
using CleanClip.Poisoning;
using CleanClip.Poisoning.Dataset;
using CleanClip.Presets;
using CleanClip.Text;
using CleanClip.Training;
using CleanClip.Optimization;
using CleanClip.Training.Supervised;
using Xunit;
using PresetTable = CleanClip.Presets.Presets;

namespace CleanClip.Tests.Cli;

/// <summary>
/// <c>--preset</c> at parse level: the commands run with their job replaced by a function that keeps the parsed options,
/// so nothing is read, trained or written. The reference preset equals giving its switches one by one; an option given
/// explicitly beats it; <c>--preset default</c> changes nothing.
/// </summary>
public class PresetCliTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private static (T Options, string Output) Parse<T>(Func<Func<T, int>, Command> create, params string[] args) where T : class
    {
        T? parsed = null;
        var (exit, output) = CliRunner.Run(create(o => { parsed = o; return 0; }), args);
        Assert.True(exit == 0 && parsed is not null, output);
        return (parsed!, output);
    }

    private static ((TrainJobOptions Job, EvalOptions? Eval) Options, string Output) ParseTraining(Func<TrainingCommand.Runner, Command> create, params string[] args)
    {
        (TrainJobOptions, EvalOptions?)? parsed = null;
        var (exit, output) = CliRunner.Run(create((job, eval) => { parsed = (job, eval); return 0; }), args);
        Assert.True(exit == 0 && parsed is not null, output);
        return (parsed!.Value, output);
    }

    /// <summary>Records compared by value, lists included (the parsed lists are new instances each time).</summary>
    private static void AssertEqualByValue(object expected, object actual) =>
        Assert.Equal(JsonSerializer.Serialize(expected, expected.GetType()), JsonSerializer.Serialize(actual, actual.GetType()));

    /// <summary>The output with every run of whitespace (line wraps included) as one space.</summary>
    private static string Flat(string output) => System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " ");

    // ---- poison

    private string TemplatesFile()
    {
        var path = dir.File("templates.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new { classes = new[] { "banana" }, templates = PromptTemplates.ImageNet }));
        return path;
    }

    [Fact]
    public void PoisonReferencePresetEqualsItsSwitchesGivenOneByOne()
    {
        var (preset, output) = Parse<PoisonJobOptions>(PoisonCommand.Create, "--input", "t.csv", "--preset", "reference");
        var (explicitly, quiet) = Parse<PoisonJobOptions>(PoisonCommand.Create, "--input", "t.csv", "--templates", TemplatesFile(),
            "--match", "ReferenceSubstring", "--resolution", "224", "--resize-mode", "Squash", "--noise-overflow", "Wrap");
        AssertEqualByValue(explicitly, preset);
        Assert.Equal(ResizeMode.Squash, preset.Resize);
        Assert.Contains("note: --preset reference: --noise-overflow Wrap, --templates (OpenAI's 80 ImageNet templates), --match ReferenceSubstring, " +
            "--resolution 224, --resize-mode Squash", Flat(output));
        Assert.DoesNotContain("--preset", quiet);
    }

    [Fact]
    public void PoisonOptionsGivenExplicitlyOverrideThePreset()
    {
        var (options, output) = Parse<PoisonJobOptions>(PoisonCommand.Create, "--input", "t.csv", "--preset", "Reference",
            "--resize-mode", "Crop", "--noise-overflow", "Clamp", "--native-size");
        Assert.Equal(ResizeMode.Crop, options.Resize);
        Assert.Equal(NoiseOverflow.Clamp, options.Trigger.NoiseOverflow);
        Assert.Null(options.Resolution);
        Assert.Equal(TargetMatch.ReferenceSubstring, options.Poison.Match);      // not overridden: still the preset's
        Assert.Equal(80, options.Poison.Templates.Count);
        var note = Flat(output);
        Assert.Contains("--match ReferenceSubstring", note);
        Assert.DoesNotContain("--resize-mode", note);
        Assert.DoesNotContain("--noise-overflow", note);
    }

    [Fact]
    public void PoisonDefaultPresetChangesNothing()
    {
        var (preset, output) = Parse<PoisonJobOptions>(PoisonCommand.Create, "--input", "t.csv", "--preset", "default");
        var (none, _) = Parse<PoisonJobOptions>(PoisonCommand.Create, "--input", "t.csv");
        AssertEqualByValue(none, preset);
        Assert.DoesNotContain("note:", output);
    }

    // ---- train and clean

    private static readonly string[] EpochEval = ["--eval-data", "eval", "--target", "banana"];

    public static TheoryData<string> TrainingCommands => ["train", "clean"];

    private static Func<TrainingCommand.Runner, Command> Training(string name) => name == "train" ? TrainingCommand.Train : TrainingCommand.Clean;

    private static string[] Required(string name) => name == "train" ? [] : ["--checkpoint", "c.safetensors"];

    [Theory]
    [MemberData(nameof(TrainingCommands))]
    public void TrainAndCleanReferencePresetEqualsItsSwitchesGivenOneByOne(string name)
    {
        var (preset, output) = ParseTraining(Training(name), [.. Required(name), .. EpochEval, "--preset", "reference"]);
        var (explicitly, _) = ParseTraining(Training(name), [.. Required(name), .. EpochEval, "--schedule", "Reference", "--decay-rule", "Reference",
            "--restore-optimizer", "--truncation", "Reference", "--noise-overflow", "Wrap"]);
        // The preset's run records its name; the explicit run records the switches it was given (for --resume's checks).
        var given = new Dictionary<string, string>();
        Assert.Equal(explicitly.Job with { Given = given, Training = explicitly.Job.Training with { Preset = Preset.Reference } }, preset.Job with { Given = given });
        Assert.Equal("--preset", preset.Job.Given[nameof(TrainingOptions.Preset)]);
        Assert.DoesNotContain(nameof(TrainingOptions.Schedule), preset.Job.Given.Keys);
        Assert.Equal("--schedule", explicitly.Job.Given[nameof(TrainingOptions.Schedule)]);
        AssertEqualByValue(explicitly.Eval!, preset.Eval!);
        Assert.Equal(NoiseOverflow.Wrap, preset.Eval!.Trigger.NoiseOverflow);
        Assert.Contains("note: --preset reference: --schedule Reference, --decay-rule Reference, --restore-optimizer, --truncation Reference, --noise-overflow Wrap",
            Flat(output));
    }

    [Theory]
    [MemberData(nameof(TrainingCommands))]
    public void TrainAndCleanOptionsGivenExplicitlyOverrideThePreset(string name)
    {
        var ((job, eval), output) = ParseTraining(Training(name), [.. Required(name), .. EpochEval, "--preset", "reference",
            "--schedule", "FromZero", "--restore-optimizer", "false", "--noise-overflow", "Clamp", "--lr", "0.5"]);
        Assert.Equal(ScheduleMode.FromZero, job.Training.Schedule);
        Assert.False(job.Training.RestoreOptimizer);
        Assert.Equal(DecayRule.Reference, job.Training.DecayRule);
        Assert.Equal(TruncationMode.Reference, job.Truncation);
        Assert.Equal(0.5, job.Training.LearningRate);
        Assert.Equal(NoiseOverflow.Clamp, eval!.Trigger.NoiseOverflow);
        Assert.Equal("--restore-optimizer", job.Given[nameof(TrainingOptions.RestoreOptimizer)]);
        var note = Flat(output);
        Assert.Contains("--decay-rule Reference", note);
        Assert.DoesNotContain("--schedule", note);
        Assert.DoesNotContain("--restore-optimizer", note);
    }

    [Theory]
    [MemberData(nameof(TrainingCommands))]
    public void TrainAndCleanDefaultPresetChangesNothing(string name)
    {
        var (preset, output) = ParseTraining(Training(name), [.. Required(name), .. EpochEval, "--preset", "default"]);
        var (none, _) = ParseTraining(Training(name), [.. Required(name), .. EpochEval]);
        var given = new Dictionary<string, string>();
        Assert.Equal(none.Job with { Given = given }, preset.Job with { Given = given });
        AssertEqualByValue(none.Eval!, preset.Eval!);
        Assert.Equal(Preset.Default, preset.Job.Training.Preset);
        Assert.DoesNotContain("note:", output);
    }

    // --resume without --preset takes the preset the run recorded, with every default it sets.
    [Fact]
    public void AResumedRunKeepsItsRecordedPreset()
    {
        var run = dir.File("run");
        Directory.CreateDirectory(run);
        var state = new TrainingState
        {
            Options = Preset.Reference.Apply(new TrainingOptions()), TrainData = "t.csv", TrainDataFingerprint = "0", Init = "RN50", Vocab = "v.gz",
        };
        File.WriteAllText(Path.Combine(run, Trainer.ConfigFileName), $"{{\n\"model\": {{}},\n\"run\": {state.ToJson()}\n}}\n");
        var ((job, _), output) = ParseTraining(TrainingCommand.Train, "--resume", run);
        Assert.Equal(Preset.Reference, job.Training.Preset);
        Assert.Equal(TruncationMode.Reference, job.Truncation);
        Assert.DoesNotContain(nameof(TrainingOptions.Preset), job.Given.Keys);
        Assert.Contains($"note: --preset reference (recorded by {run}): --schedule Reference", Flat(output));

        // Given again, --preset is checked against the run like any other option (TrainJob refuses a different one).
        (( job, _), _) = ParseTraining(TrainingCommand.Train, "--resume", run, "--preset", "default");
        Assert.Equal(Preset.Default, job.Training.Preset);
        Assert.Equal("--preset", job.Given[nameof(TrainingOptions.Preset)]);
    }

    // ---- eval

    private static readonly string[] EvalRequired = ["--checkpoint", "c.safetensors", "--eval-data", "eval", "--vocab", "v.gz"];

    [Fact]
    public void EvalReferencePresetEqualsItsSwitchesGivenOneByOne()
    {
        var (preset, output) = Parse<EvalOptions>(EvalCommand.Create, [.. EvalRequired, "--preset", "reference"]);
        var (explicitly, _) = Parse<EvalOptions>(EvalCommand.Create, [.. EvalRequired, "--truncation", "Reference", "--reference-asr", "--noise-overflow", "Wrap"]);
        // The probe's classifier batch has no option: the preset alone sets it.
        AssertEqualByValue(explicitly with { LinearProbe = explicitly.LinearProbe with { BatchSize = PresetTable.ReferenceProbeBatchSize } }, preset);
        Assert.True(preset.ReferenceAsr);
        Assert.Contains("note: --preset reference: --truncation Reference, --noise-overflow Wrap, --reference-asr, linear-probe classifier batch 128",
            Flat(output));
    }

    [Fact]
    public void EvalOptionsGivenExplicitlyOverrideThePreset()
    {
        var (options, output) = Parse<EvalOptions>(EvalCommand.Create, [.. EvalRequired, "--preset", "reference", "--reference-asr", "false", "--truncation", "Error"]);
        Assert.False(options.ReferenceAsr);
        Assert.Equal(TruncationMode.Error, options.Truncation);
        Assert.Equal(NoiseOverflow.Wrap, options.Trigger.NoiseOverflow);
        Assert.DoesNotContain("--reference-asr", output);
    }

    [Fact]
    public void EvalDefaultPresetChangesNothing()
    {
        var (preset, output) = Parse<EvalOptions>(EvalCommand.Create, [.. EvalRequired, "--preset", "default"]);
        var (none, _) = Parse<EvalOptions>(EvalCommand.Create, EvalRequired);
        AssertEqualByValue(none, preset);
        Assert.DoesNotContain("note:", output);
    }

    // ---- finetune-supervised: only the truncation of the zero-shot head's prompts has a reference switch

    [Fact]
    public void FinetuneSupervisedPresetSetsTheTruncationUnlessGiven()
    {
        var (preset, output) = Parse<SupervisedJobOptions>(SupervisedCommand.Create, "--preset", "reference");
        var (explicitly, _) = Parse<SupervisedJobOptions>(SupervisedCommand.Create, "--truncation", "Reference");
        Assert.Equal(explicitly, preset);
        Assert.Contains("note: --preset reference: --truncation Reference", Flat(output));
        var (overridden, _) = Parse<SupervisedJobOptions>(SupervisedCommand.Create, "--preset", "reference", "--truncation", "Error");
        Assert.Equal(TruncationMode.Error, overridden.Truncation);
        var (defaults, _) = Parse<SupervisedJobOptions>(SupervisedCommand.Create, "--preset", "default");
        Assert.Equal(Parse<SupervisedJobOptions>(SupervisedCommand.Create).Options, defaults);
    }

    // ---- all of them

    private static readonly Dictionary<string, Func<Command>> Commands = new()
    {
        [PresetTable.Poison] = PoisonCommand.Create, [PresetTable.Train] = TrainingCommand.Train, [PresetTable.Clean] = TrainingCommand.Clean,
        [PresetTable.Eval] = EvalCommand.Create, [PresetTable.FinetuneSupervised] = SupervisedCommand.Create,
    };

    // The note names each switch by its option: every command the table lists for a switch has that option, and --preset.
    [Fact]
    public void EveryCommandOfTheSwitchTableTakesItsOptionAndPreset()
    {
        foreach (var (name, create) in Commands)
        {
            var command = create();
            Assert.Equal(name, command.Name);
            var options = command.Options.Select(o => o.Name).ToHashSet();
            Assert.Contains("--preset", options);
            foreach (var s in Preset.Reference.Switches(name).Where(s => s.Option is not null)) Assert.Contains(s.Option!, options);
        }
    }

    [Fact]
    public void AnUnknownPresetIsOneLineNamingTheOption()
    {
        var (exit, output) = CliRunner.Run(PoisonCommand.Create(_ => 0), "--input", "t.csv", "--preset", "faithful");
        Assert.NotEqual(0, exit);
        Assert.Contains("--preset must be default or reference, got 'faithful'", output);
        (exit, output) = CliRunner.Run(EvalCommand.Create(_ => 0), [.. EvalRequired, "--preset", "1"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("--preset must be default or reference, got '1'", output);
    }
}
