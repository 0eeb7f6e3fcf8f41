using System.Text.Json.Nodes;
using CleanClip.Checkpoints;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Checkpoints;

/// <summary>
/// A damaged <c>cleanclip.config</c> in a safetensors file (not JSON, missing fields, absurd sizes) is one message
/// naming the file, the key and what is wrong, found from the tensors' shapes before any model is built.
/// </summary>
public class MetadataConfigTests
{
    public static TheoryData<string, string, string> BadConfigs() => new()
    {
        { "not JSON", "{\"Name\": \"tiny-rn\", ", "is not a valid model config" },
        { "JSON null", "null", "is not a valid model config" },
        { "missing field", "-EmbedDim", "EmbedDim" },
        { "absurd vocabulary", "VocabSize=500000000", "VocabSize 500000000 (tensors: 1024)" },
        { "absurd depth", "TextLayers=1000000", "TextLayers 1000000 (tensors: 2)" },
        { "negative width", "TextWidth=-64", "TextWidth is -64, expected at least 1" },
        { "zero heads", "TextHeads=0", "text heads is 0, expected a divisor of the text attention width 64" },
        { "huge heads", "VisionHeads=1000000000", "vision heads is 1000000000" },
        { "no stages", "VisionLayers=null", "VisionLayers has 0 entries, expected 4" },
        { "other resolution", "ImageResolution=224", "ImageResolution 224 (tensors: 32)" },
        { "other width", "VisionWidth=16", "VisionWidth 16 (tensors: 8)" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void ABadConfigIsOneMessageBeforeAnyModelIsBuilt(string what, string edit, string expected)
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var path = HostileCheckpointFiles.SaveTinyRn(dir.File("model.safetensors"));
        HostileCheckpointFiles.EditMetadata(path, metadata => metadata[ModelLoader.ConfigMetadataKey] = Edit(metadata[ModelLoader.ConfigMetadataKey], edit));

        // The check needs only the tensors' shapes: it runs before the model (and its allocations) exist.
        var json = Safetensors.ReadMetadata(path)[ModelLoader.ConfigMetadataKey];
        var tensors = Safetensors.Read(path);
        try
        {
            var direct = Assert.Throws<CheckpointFormatException>(() => ModelLoader.ConfigFromMetadata(path, json, tensors));
            Assert.True(direct.Message.Contains(expected), $"{what}: {direct.Message}");
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        var error = Assert.Throws<CheckpointFormatException>(() => ModelLoader.Load(path));
        Assert.StartsWith($"{path}: metadata '{ModelLoader.ConfigMetadataKey}'", error.Message);
        Assert.True(error.Message.Contains(expected), $"{what}: {error.Message}");
        Assert.DoesNotContain('\n', error.Message);
    }

    /// <summary>"-Field" removes a field, "Field=json" sets it, anything else replaces the whole text.</summary>
    private static string Edit(string json, string edit)
    {
        if (!edit.StartsWith('-') && !edit.Contains('=')) return edit;
        var node = JsonNode.Parse(json)!.AsObject();
        if (edit.StartsWith('-')) node.Remove(edit[1..]);
        else node[edit[..edit.IndexOf('=')]] = JsonNode.Parse(edit[(edit.IndexOf('=') + 1)..]);
        return node.ToJsonString();
    }
}
