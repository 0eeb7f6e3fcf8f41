namespace CleanClip.Models;

/// <summary>
/// Reads a CLIP architecture off a state dict's key names and shapes, as OpenAI's <c>build_model</c> does.
/// Head counts are not stored in a state dict: a registry config with the same shapes lends its heads, otherwise
/// OpenAI's rule (heads of dimension 64) applies.
/// </summary>
public static class ConfigInference
{
    public static ClipConfig Infer(IReadOnlyDictionary<string, long[]> shapes, string name = "inferred")
    {
        long[] Shape(string key) => shapes.TryGetValue(key, out var s) ? s
            : throw new ArgumentException($"not a CLIP state dict: key '{key}' is missing");
        int Count(string prefix, int part) =>
            shapes.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k => k.Split('.')[part]).Distinct().Count();

        bool vit = shapes.ContainsKey("visual.proj");
        ClipConfig config;
        if (vit)
        {
            var conv = Shape("visual.conv1.weight");
            int patch = (int)conv[^1];
            int grid = (int)Math.Round(Math.Sqrt(Shape("visual.positional_embedding")[0] - 1));
            int layers = shapes.Keys.Count(k => k.StartsWith("visual.", StringComparison.Ordinal) && k.EndsWith(".attn.in_proj_weight", StringComparison.Ordinal));
            config = Base(name, (int)conv[0], patch * grid, [layers]) with { VisionPatchSize = patch };
        }
        else
        {
            int[] layers = Enumerable.Range(1, 4).Select(b => Count($"visual.layer{b}.", 2)).ToArray();
            int grid = (int)Math.Round(Math.Sqrt(Shape("visual.attnpool.positional_embedding")[0] - 1));
            config = Base(name, (int)Shape("visual.layer1.0.conv1.weight")[0], grid * 32, layers);
        }

        ClipConfig Base(string n, int visionWidth, int resolution, int[] visionLayers) => new()
        {
            Name = n,
            EmbedDim = (int)Shape("text_projection")[1],
            ImageResolution = resolution,
            VisionLayers = visionLayers,
            VisionWidth = visionWidth,
            ContextLength = (int)Shape("positional_embedding")[0],
            VocabSize = (int)Shape("token_embedding.weight")[0],
            TextWidth = (int)Shape("ln_final.weight")[0],
            TextLayers = Count("transformer.resblocks.", 2),
        };

        var known = ModelRegistry.All.FirstOrDefault(c => c.SameShapes(config));
        return known is null ? config : config with { Name = known.Name, VisionHeads = known.VisionHeads, TextHeads = known.TextHeads };
    }
}
