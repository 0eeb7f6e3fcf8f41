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

    /// <summary>Whether the command line names <paramref name="option"/> (rather than leaving it to its default).</summary>
    public static bool WasGiven(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };
}
