using System.CommandLine;
using CleanClip.Models;
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

    public static Option<Precision> Precision(Precision defaultValue) => new("--precision")
    {
        Description = "Fp32, or Bf16: the model computes in bfloat16 (fast on CPUs with AVX512-BF16/AMX) while weights, gradients and optimizer state stay fp32.",
        DefaultValueFactory = _ => defaultValue,
    };

    public static Option<bool> TrustTorchScript() => new("--trust-torchscript")
    {
        Description = "Open TorchScript checkpoints (OpenAI's released .pt files). Loading one runs code stored in the file: only for files you trust.",
    };

    public static Option<bool> AllowOutsideRoot() => new("--allow-outside-root")
    {
        Description = "Read table rows whose image lies outside the table's folder (absolute, ../ or through a link); by default they are skipped, as train skips them.",
    };

    /// <summary>Whether the command line names <paramref name="option"/> (rather than leaving it to its default).</summary>
    public static bool WasGiven(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };
}
