using CleanClip.Checkpoints;
using CleanClip.Cli.Commands;
using CleanClip.Models;
using CleanClip.Tests.Checkpoints;
using SkiaSharp;
using Xunit;

namespace CleanClip.Tests.Cli;

/// <summary>Hostile checkpoints reach the user as one error line and exit code 1, or load when the user gives what they lack.</summary>
public class HostileCheckpointCliTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly string images;

    public HostileCheckpointCliTests()
    {
        images = Directory.CreateDirectory(dir.File("images")).FullName;
        using var bitmap = new SKBitmap(32, 32);
        bitmap.Erase(SKColors.Teal);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(Path.Combine(images, "a.png"), data.ToArray());
    }

    public void Dispose() => dir.Dispose();

    private (int Exit, string Output) Embed(string model, params string[] extra) =>
        CliRunner.Run(EmbedCommand.Create(), ["--model", model, "--images", images, "--output", dir.File("out"), .. extra]);

    /// <summary>One error message (the console wraps it at its width: compared with whitespace collapsed), no stack trace.</summary>
    private static void AssertOneErrorLine(string output, params string[] expected)
    {
        Assert.True(output.Split("error:").Length == 2, output);
        var error = System.Text.RegularExpressions.Regex.Replace(output[output.IndexOf("error:", StringComparison.Ordinal)..], @"\s+", " ");
        foreach (var text in expected) Assert.Contains(text, error);
        Assert.DoesNotContain("Exception", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public void ANarrowStateDictNeedsTheHeadOptionsAndLoadsWithThem()
    {
        var path = dir.File("narrow.safetensors");
        using (var model = new ClipModel(HostileCheckpointFiles.NarrowConfig()))
            HostileCheckpointFiles.WriteWithoutConfig(model, path);

        var (exit, output) = Embed(path);
        Assert.Equal(1, exit);
        AssertOneErrorLine(output, "narrow.safetensors", "cannot be inferred", "--text-heads N");
        Assert.False(Directory.Exists(dir.File("out")));

        (exit, output) = Embed(path, "--text-heads", "2", "--vision-heads", "2");
        Assert.True(exit == 0, output);
        Assert.True(File.Exists(Path.Combine(dir.File("out"), "image_embeddings.npy")));
    }

    [Theory]
    [InlineData("--text-heads")]
    [InlineData("--vision-heads")]
    public void AHeadCountBelowOneIsAParseError(string option)
    {
        var (exit, output) = Embed("tiny-vit", option, "0");
        Assert.NotEqual(0, exit);
        Assert.Contains($"{option} must be at least 1 (got 0)", output);
    }

    [Fact]
    public void EveryCommandThatTakesModelConfigTakesTheHeadOptions()
    {
        foreach (var command in new[] { EmbedCommand.Create(), EvalCommand.Create(), ZeroShotCommand.Create(), TrainingCommand.Train(), TrainingCommand.Clean(), SupervisedCommand.Create() })
        {
            var names = command.Options.Select(o => o.Name).ToList();
            Assert.Contains("--model-config", names);
            Assert.Contains("--text-heads", names);
            Assert.Contains("--vision-heads", names);
        }
    }

    [Fact]
    public void AnAbsurdConfigInTheMetadataIsOneErrorLine()
    {
        var path = HostileCheckpointFiles.SaveTinyRn(dir.File("model.safetensors"));
        HostileCheckpointFiles.EditMetadata(path, m => m[ModelLoader.ConfigMetadataKey] = m[ModelLoader.ConfigMetadataKey].Replace("\"VocabSize\":1024", "\"VocabSize\":500000000"));

        var (exit, output) = Embed(path);
        Assert.Equal(1, exit);
        AssertOneErrorLine(output, "model.safetensors", "does not match the file's tensors", "VocabSize 500000000 (tensors: 1024)");
    }

    [Fact]
    public void NonFiniteWeightsAreAnErrorNamingTheTensorAndNothingIsWritten()
    {
        var path = HostileCheckpointFiles.SaveTinyRn(dir.File("nan.safetensors"), model => model.state_dict()["visual.conv1.weight"][0, 0, 0, 0].fill_(double.NaN));
        var (exit, output) = Embed(path);
        Assert.Equal(1, exit);
        AssertOneErrorLine(output, "nan.safetensors", "1 tensor(s) holding NaN or infinite values: visual.conv1.weight");
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void ABitFlippedCheckpointIsAnErrorSayingItIsCorrupt()
    {
        var path = HostileCheckpointFiles.SaveTinyRn(dir.File("model.safetensors"));
        HostileCheckpointFiles.FlipDataBit(path, 1000);
        var (exit, output) = Embed(path);
        Assert.Equal(1, exit);
        AssertOneErrorLine(output, "model.safetensors", "does not match the SHA-256", "corrupt");
    }
}
