using System.CommandLine;
using System.Text.Json;
using CleanClip.Models;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip models</c>: the architectures the registry knows.</summary>
public static class ModelsCommand
{
    public static Command Create()
    {
        var json = OutputCliOptions.Json<bool>("Print the configs as JSON instead of a table.");
        var command = new Command("models", "List the model configs (OpenAI's CLIP models and the tiny test models).") { json };
        command.SetAction(parse =>
        {
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(ModelRegistry.All, new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }
            var table = new Table().AddColumns("name", "image tower", "resolution", "embed dim", "text width × layers", "vocab", "MLP activation");
            foreach (var c in ModelRegistry.All)
            {
                string tower = c.IsVit
                    ? $"ViT {c.VisionLayers[0]}×{c.VisionWidth}, patch {c.VisionPatchSize}, {c.ResolvedVisionHeads} heads"
                    : $"ResNet ({string.Join(",", c.VisionLayers)}) width {c.VisionWidth}";
                table.AddRow(c.Name, tower, $"{c.ImageResolution}", $"{c.EmbedDim}", $"{c.TextWidth} × {c.TextLayers}", $"{c.VocabSize}", $"{c.Activation}");
            }
            AnsiConsole.Write(table);
            Console.WriteLine("OpenCLIP's names for these: " +
                string.Join(", ", ModelRegistry.OpenClipNames.Select(kv => $"{kv.Key} = {kv.Value}")) +
                " (OpenCLIP's plain names use exact GELU: ViT-B-32 etc. as listed, and its RN50 etc. are RN50-gelu etc. here, since RN50 is OpenAI's).");
            return 0;
        });
        return command;
    }
}
