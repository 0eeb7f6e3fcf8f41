using CleanClip.Data;
using CleanClip.Evaluation;
using CleanClip.Poisoning;
using CleanClip.Poisoning.Dataset;
using CleanClip.Text;
using CleanClip.Training;
using CleanClip.Optimization;
using CleanClip.Training.Supervised;

namespace CleanClip.Presets;

/// <summary>
/// What each <see cref="Preset"/> sets, as functions from option records to option records, and as the table of
/// <see cref="ReferenceSwitches"/> that the CLI's note and docs/reference-behaviour.md §15 show. <see cref="Preset.Default"/>
/// returns every record unchanged.
/// </summary>
public static class Presets
{
    /// <summary>The command names of <see cref="PresetSwitch.Commands"/>, spelled as the CLI spells them.</summary>
    public const string Poison = "poison", Train = "train", Clean = "clean", Eval = "eval", FinetuneSupervised = "finetune-supervised";

    /// <summary>The side the reference squashes every triggered image to, whatever the model's resolution.</summary>
    public const int ReferenceTriggerResolution = 224;

    /// <summary>The reference's linear-probe classifier batch: its <c>--batch_size</c> default (docs §12.3).</summary>
    public const int ReferenceProbeBatchSize = 128;

    /// <summary>Everything <see cref="Preset.Reference"/> changes, one row per setting and the commands it applies to.</summary>
    public static IReadOnlyList<PresetSwitch> ReferenceSwitches { get; } =
    [
        new("--schedule", nameof(ScheduleMode.Reference), [Train, Clean], "§8, §14.6"),
        new("--decay-rule", nameof(DecayRule.Reference), [Train, Clean], "§7, §14.8"),
        new("--restore-optimizer", "on", [Train, Clean], "§11, §14.7"),
        new("--truncation", nameof(TruncationMode.Reference), [Train, Clean, Eval, FinetuneSupervised], "§3.2, §14.13"),
        new("--noise-overflow", nameof(NoiseOverflow.Wrap), [Poison, Train, Clean, Eval], "§2.2, §14.9"),
        new("--templates", "(OpenAI's 80 ImageNet templates)", [Poison], "§2.1"),
        new("--match", nameof(TargetMatch.ReferenceSubstring), [Poison], "§2.1, §14.16"),
        new("--resolution", $"{ReferenceTriggerResolution}", [Poison], "§2.2"),
        new("--resize-mode", nameof(ResizeMode.Squash), [Poison], "§2.2, §14.3"),
        new("--reference-asr", "on", [Eval], "§2.2, §14.3"),
        new(null, $"linear-probe classifier batch {ReferenceProbeBatchSize}", [Eval], "§12.3"),
    ];

    /// <summary>The switches <paramref name="preset"/> sets in <paramref name="command"/> (none for <see cref="Preset.Default"/>).</summary>
    public static IReadOnlyList<PresetSwitch> Switches(this Preset preset, string command) =>
        preset == Preset.Reference ? ReferenceSwitches.Where(s => s.Commands.Contains(command)).ToList() : [];

    /// <summary>
    /// The contrastive training settings. Under <see cref="Preset.Reference"/> the optimizer restore follows the
    /// reference, which restores whatever AdamW state its checkpoint holds: <see cref="TrainJob"/> starts a fresh AdamW,
    /// with a note, when the initial model is no checkpoint with moments, unless <c>--restore-optimizer</c> was given.
    /// </summary>
    public static TrainingOptions Apply(this Preset preset, TrainingOptions options) => Check(preset) switch
    {
        Preset.Reference => options with
        {
            Preset = preset, Schedule = ScheduleMode.Reference, DecayRule = DecayRule.Reference, RestoreOptimizer = true,
        },
        _ => options,
    };

    /// <summary><c>cleanclip train</c> and <c>cleanclip clean</c>; the trigger of their epoch evaluation is <see cref="Apply(Preset, TriggerOptions)"/>'s.</summary>
    public static TrainJobOptions Apply(this Preset preset, TrainJobOptions options) => Check(preset) switch
    {
        Preset.Reference => options with { Truncation = TruncationMode.Reference, Training = preset.Apply(options.Training) },
        _ => options,
    };

    public static TriggerOptions Apply(this Preset preset, TriggerOptions options) => Check(preset) switch
    {
        Preset.Reference => options with { NoiseOverflow = NoiseOverflow.Wrap },
        _ => options,
    };

    /// <summary><c>cleanclip poison</c>: the reference's captions, target match, trigger and 224×224 squash.</summary>
    public static PoisonJobOptions Apply(this Preset preset, PoisonJobOptions options) => Check(preset) switch
    {
        Preset.Reference => options with
        {
            Poison = options.Poison with { Templates = PromptTemplates.ImageNet, Match = TargetMatch.ReferenceSubstring },
            Trigger = preset.Apply(options.Trigger),
            Resolution = ReferenceTriggerResolution, Resize = ResizeMode.Squash,
        },
        _ => options,
    };

    /// <summary><c>cleanclip eval</c>: the reference's truncation, trigger, squash before the trigger and probe batch.</summary>
    public static EvalOptions Apply(this Preset preset, EvalOptions options) => Check(preset) switch
    {
        Preset.Reference => options with
        {
            Truncation = TruncationMode.Reference, ReferenceAsr = true, Trigger = preset.Apply(options.Trigger),
            LinearProbe = options.LinearProbe with { BatchSize = ReferenceProbeBatchSize },
        },
        _ => options,
    };

    /// <summary><c>cleanclip finetune-supervised</c>: only the truncation (of the zero-shot head's prompts) has a reference switch.</summary>
    public static SupervisedJobOptions Apply(this Preset preset, SupervisedJobOptions options) => Check(preset) switch
    {
        Preset.Reference => options with { Truncation = TruncationMode.Reference },
        _ => options,
    };

    private static Preset Check(Preset preset) =>
        Enum.IsDefined(preset) ? preset : throw new ArgumentException($"--preset must be default or reference, got {(int)preset}");
}
