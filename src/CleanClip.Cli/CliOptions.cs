using System.CommandLine;
using CleanClip.Models;
using CleanClip.Presets;
using CleanClip.Text;

namespace CleanClip.Cli;

/// <summary>Options several commands share, spelled the same everywhere.</summary>
public static class CliOptions
{
    public static Option<TruncationMode> Truncation(TruncationMode defaultValue) => new("--truncation")
    {
        Description = "Over-long captions: KeepEndOfText (OpenAI truncate=True), Reference (CleanCLIP's slicing, drops EOT), or Error.",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<Precision> Precision(Precision defaultValue) => new(OptionNames.Precision)
    {
        Description = "Fp32, or Bf16: the model computes in bfloat16 (fast on CPUs with AVX512-BF16/AMX) while weights, gradients and optimizer state stay fp32.",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<string> Device(string defaultValue) => new("--device")
    {
        Description = "auto (CUDA when present, else CPU), cpu, cuda or cuda:N.",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<bool> ForceBf16() => new("--force-bf16")
    {
        Description = "Keep --precision Bf16 on a CPU without native bf16 (no avx512_bf16/amx_bf16), where it is slower than fp32 and otherwise falls back to Fp32.",
    };

    /// <summary>The precision to run in on <paramref name="device"/> (see <see cref="Bf16Support.Choose"/>), printing the note when it changes or is forced.</summary>
    public static Precision ChoosePrecision(ParseResult parse, Option<Precision> precision, Option<bool> force, string device)
    {
        var chosen = Bf16Support.Choose(parse.GetValue(precision), parse.GetValue(force), TorchDevice.Choose(device).type, Bf16Support.ReadCpuInfo(), out var note);
        if (note is not null) Spectre.Console.AnsiConsole.MarkupLine($"[yellow]note:[/] {Spectre.Console.Markup.Escape(note)}");
        return chosen;
    }

    public static Option<bool> TrustTorchScript() => new("--trust-torchscript")
    {
        Description = "Open TorchScript checkpoints (OpenAI's released .pt files). Loading one runs code stored in the file: only for files you trust.",
    };

    public static Option<bool> AllowOutsideRoot() => new("--allow-outside-root")
    {
        Description = "Read table rows whose image lies outside the table's folder (absolute, ../ or through a link); by default they are skipped, as train skips them.",
    };

    /// <summary><c>--seed</c>: what it seeds is the command's <paramref name="description"/>; <typeparamref name="T"/> is ulong, or long for synth's world seed.</summary>
    public static Option<T> Seed<T>(T defaultValue, string description) where T : struct => new(OptionNames.Seed)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary><c>--batch-size</c>: what one batch holds is the command's <paramref name="description"/>.</summary>
    public static Option<int> BatchSize(int defaultValue, string description = "Images the model embeds per forward pass.") => new(OptionNames.BatchSize)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary>
    /// <c>--size</c>: a size whose meaning is the command's own (a vocabulary's, an image's, a table's), told by
    /// <paramref name="description"/>; a null <paramref name="defaultValue"/> leaves the option without one.
    /// </summary>
    public static Option<T> Size<T>(string description, T defaultValue) => new(OptionNames.Size)
    {
        Description = description,
        DefaultValueFactory = DefaultOf(defaultValue),
    };

    /// <summary>The default value factory of an option defaulting to <paramref name="value"/>; null for a null value (no default).</summary>
    internal static Func<System.CommandLine.Parsing.ArgumentResult, T>? DefaultOf<T>(T value) => value is null ? null : _ => value;

    /// <summary>The options of <paramref name="options"/> the command line gave, each as its name and value tokens as typed.</summary>
    public static IEnumerable<string> GivenArguments(ParseResult parse, IEnumerable<Option> options) => options.Where(o => WasGiven(parse, o))
        .SelectMany(o => parse.GetResult(o)!.Tokens.Select(t => t.Value).Prepend(o.Name));

    /// <summary>Whether the command line names <paramref name="option"/> (rather than leaving it to its default).</summary>
    public static bool WasGiven(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>
    /// The value given on the command line, else <paramref name="fallback"/>: the default of the preset in use, so an
    /// explicit option always beats the preset.
    /// </summary>
    public static T Or<T>(ParseResult parse, Option<T> option, T fallback) => WasGiven(parse, option) ? parse.GetValue(option)! : fallback;

    /// <summary><c>--preset default|reference</c>: the defaults the command starts from (see <see cref="Presets"/>).</summary>
    public static Option<Preset> Preset() => new("--preset")
    {
        Description = "default, or reference: every reference-compatibility switch of this command at once, to reproduce the reference implementation " +
            "(docs/reference-behaviour.md §15). Options given explicitly override the preset.",
        DefaultValueFactory = _ => CleanClip.Preset.Default,
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Join(" ", result.Tokens.Select(t => t.Value));
            if (!int.TryParse(text, out _) && Enum.TryParse<Preset>(text, ignoreCase: true, out var preset) && Enum.IsDefined(preset)) return preset;
            result.AddError($"--preset must be default or reference, got '{text}'");
            return default;
        },
    };

    /// <summary>
    /// Prints one note naming the settings <paramref name="preset"/> changed in the parsed command, leaving out those the
    /// command line gave explicitly; nothing for <see cref="Preset.Default"/>.
    /// </summary>
    /// <param name="origin">Where the preset came from when not from --preset itself (a resumed run's record).</param>
    public static void NotePreset(ParseResult parse, Preset preset, string? origin = null)
    {
        var command = parse.CommandResult.Command;
        var options = command.Options;
        var applied = preset.Switches(command.Name)
            .Where(s => s.Option is null || options.FirstOrDefault(o => o.Name == s.Option) is not { } option || !WasGiven(parse, option))
            .Select(s => s.ToString()).ToList();
        if (applied.Count == 0) return;
        var name = preset.ToString().ToLowerInvariant();
        Spectre.Console.AnsiConsole.MarkupLine($"[yellow]note:[/] {Spectre.Console.Markup.Escape($"--preset {name}{origin}: {string.Join(", ", applied)}")}");
    }
}
