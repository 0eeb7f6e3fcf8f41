using System.CommandLine;
using CleanClip.Models;

namespace CleanClip.Cli;

/// <summary>
/// How a command is told the architecture of a checkpoint that does not say: <c>--model-config NAME</c>, and the head
/// counts a state dict cannot give (<c>--text-heads</c>, <c>--vision-heads</c>: for widths that are not multiples of
/// 64). Spelled the same in every command that loads a model.
/// </summary>
public sealed class ModelConfigCliOptions
{
    public Option<string?> Config { get; }
    public Option<int?> TextHeads { get; }
    public Option<int?> VisionHeads { get; }

    public ModelConfigCliOptions(string configDescription = "Architecture name when the checkpoint does not say.")
    {
        Config = new Option<string?>("--model-config") { Description = configDescription };
        TextHeads = Heads("--text-heads", "text transformer");
        VisionHeads = Heads("--vision-heads", "image tower (ViT, or the ResNet's attention pool)");
    }

    public IEnumerable<Option> All => [Config, TextHeads, VisionHeads];

    public string? Name(ParseResult parse) => parse.GetValue(Config);

    /// <summary>The given head counts, or null when neither option was given.</summary>
    public HeadCounts? Heads(ParseResult parse) =>
        (parse.GetValue(TextHeads), parse.GetValue(VisionHeads)) is var (text, vision) && (text ?? vision) is not null
            ? new HeadCounts(text, vision) : null;

    private static Option<int?> Heads(string name, string tower)
    {
        var option = new Option<int?>(name)
        {
            Description = $"Attention heads of the {tower}: needed when its width is not a multiple of 64 and the checkpoint does not say.",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1 and var value)
                result.AddError($"{name} must be at least 1 (got {value})");
        });
        return option;
    }
}
