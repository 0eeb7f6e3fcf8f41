namespace CleanClip.Models;

/// <summary>
/// Reads a CLIP architecture off a state dict's key names and shapes, as OpenAI's <c>build_model</c> does.
/// Head counts are not stored in a state dict: given ones (<see cref="HeadCounts"/>) win, then a registry config with
/// the same shapes lends its heads, otherwise OpenAI's rule (heads of dimension 64) applies where the width allows it.
/// </summary>
public static class ConfigInference
{
    /// <exception cref="ArgumentException">A key the architecture is read from is missing, or a tower's width is not a
    /// multiple of 64 and its head count is neither given nor known from the registry.</exception>
    public static ClipConfig Infer(IReadOnlyDictionary<string, long[]> shapes, string name = "inferred", HeadCounts? heads = null)
    {
        var config = InferShapes(shapes, name);
        var known = ModelRegistry.All.FirstOrDefault(c => c.SameShapes(config));
        if (known is not null)
            config = config with { Name = known.Name, VisionHeads = known.VisionHeads, TextHeads = known.TextHeads };
        config = (heads ?? HeadCounts.None).ApplyTo(config);
        if (config.TextHeads is null && config.TextWidth % 64 != 0)
            throw new ArgumentException(ClipConfig.HeadsNotInferable("text", config.TextWidth));
        if (config.VisionHeads is null && config.VisionAttentionWidth % 64 != 0)
            throw new ArgumentException(ClipConfig.HeadsNotInferable("vision", config.VisionAttentionWidth));
        return config;
    }

    /// <summary>The architecture's sizes as the shapes give them; head counts are left null (OpenAI's rule).</summary>
    /// <exception cref="ArgumentException">A key the architecture is read from is missing.</exception>
    public static ClipConfig InferShapes(IReadOnlyDictionary<string, long[]> shapes, string name = "inferred")
    {
        long[] Shape(string key) => shapes.TryGetValue(key, out var s) ? s
            : throw new ArgumentException($"not a CLIP state dict: key '{key}' is missing");
        int Count(string prefix, int part) =>
            shapes.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k => k.Split('.')[part]).Distinct().Count();

        bool vit = shapes.ContainsKey("visual.proj");
        if (vit)
        {
            var conv = Shape("visual.conv1.weight");
            int patch = (int)conv[^1];
            int grid = (int)Math.Round(Math.Sqrt(Shape("visual.positional_embedding")[0] - 1));
            int layers = shapes.Keys.Count(k => k.StartsWith("visual.", StringComparison.Ordinal) && k.EndsWith(".attn.in_proj_weight", StringComparison.Ordinal));
            return Base(name, (int)conv[0], patch * grid, [layers]) with { VisionPatchSize = patch };
        }
        int[] stages = Enumerable.Range(1, 4).Select(b => Count($"visual.layer{b}.", 2)).ToArray();
        int pool = (int)Math.Round(Math.Sqrt(Shape("visual.attnpool.positional_embedding")[0] - 1));
        return Base(name, (int)Shape("visual.layer1.0.conv1.weight")[0], pool * 32, stages);

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
    }

    /// <summary>
    /// Where <paramref name="declared"/> (e.g. a file's own metadata) disagrees with the sizes read off the tensors,
    /// as "Field declared (tensors: actual)"; empty when a model built from it would fit them. The image resolution is
    /// compared as the grid it gives (resolution/32 for a ResNet, resolution/patch for a ViT), as that is what the
    /// tensors hold.
    /// </summary>
    public static IReadOnlyList<string> Mismatches(ClipConfig declared, ClipConfig fromShapes)
    {
        var found = new List<string>();
        void Compare(string field, object? value, object? actual)
        {
            if (!Equals(value, actual)) found.Add($"{field} {value ?? "null"} (tensors: {actual ?? "null"})");
        }
        Compare(nameof(ClipConfig.VisionPatchSize), declared.VisionPatchSize, fromShapes.VisionPatchSize);
        if (found.Count > 0) return found; // a ResNet declared for ViT tensors (or the reverse): nothing else compares
        Compare(nameof(ClipConfig.EmbedDim), declared.EmbedDim, fromShapes.EmbedDim);
        Compare(nameof(ClipConfig.VisionWidth), declared.VisionWidth, fromShapes.VisionWidth);
        Compare(nameof(ClipConfig.VisionLayers), Join(declared.VisionLayers), Join(fromShapes.VisionLayers));
        int gridCell = declared.VisionPatchSize ?? 32;
        if (declared.ImageResolution / gridCell != fromShapes.ImageResolution / gridCell)
            found.Add($"{nameof(ClipConfig.ImageResolution)} {declared.ImageResolution} (tensors: {fromShapes.ImageResolution})");
        Compare(nameof(ClipConfig.ContextLength), declared.ContextLength, fromShapes.ContextLength);
        Compare(nameof(ClipConfig.VocabSize), declared.VocabSize, fromShapes.VocabSize);
        Compare(nameof(ClipConfig.TextWidth), declared.TextWidth, fromShapes.TextWidth);
        Compare(nameof(ClipConfig.TextLayers), declared.TextLayers, fromShapes.TextLayers);
        return found;
    }

    private static string? Join(int[]? values) => values is null ? null : "[" + string.Join(", ", values) + "]";
}
