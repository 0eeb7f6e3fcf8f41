using System.CommandLine;

namespace CleanClip.Cli;

/// <summary>
/// The model a command loads and the vocabulary its text tower reads: <c>--model</c>, <c>--checkpoint</c> and
/// <c>--vocab</c>, declared once for every command (the architecture options are <see cref="ModelConfigCliOptions"/>).
/// </summary>
public static class ModelCliOptions
{
    /// <summary><c>--model</c> (required): <paramref name="role"/> names the model's part in the command.</summary>
    public static Option<string?> Model(string role = "The model") => new("--model")
    {
        Description = $"{role}: a checkpoint file, or a model name (fresh weights).",
        Required = true,
    };

    /// <summary>
    /// <c>--checkpoint</c>, one model: required, or defaulting to <paramref name="defaultValue"/>, or (neither) null
    /// when not given; <paramref name="description"/> says which model the command takes.
    /// </summary>
    public static Option<string?> Checkpoint(string description, string? defaultValue = null, bool required = false)
    {
        var option = CheckpointOption<string?>(description);
        option.DefaultValueFactory = CliOptions.DefaultOf(defaultValue);
        option.Required = required;
        return option;
    }

    /// <summary><c>--checkpoint</c>, several models (required): repeated, or several after one <c>--checkpoint</c>.</summary>
    public static Option<string[]> Checkpoints(string description)
    {
        var option = CheckpointOption<string[]>(description);
        option.Required = true;
        option.AllowMultipleArgumentsPerToken = true;
        return option;
    }

    private static Option<T> CheckpointOption<T>(string description) => new(OptionNames.Checkpoint) { Description = description };

    /// <summary><c>--vocab</c>; <paramref name="use"/>, when given, says what the command needs it for.</summary>
    public static Option<string?> Vocab(bool required = false, string? use = null) => new(OptionNames.Vocab)
    {
        Description = $"BPE vocabulary of the model's text tower (the bpe_simple_vocab_16e6.txt.gz format){(use is null ? "" : ", " + use)}.",
        Required = required,
    };
}
