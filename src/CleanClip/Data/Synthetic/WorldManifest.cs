using System.Text;
using System.Text.Json;

namespace CleanClip.Data.Synthetic;

/// <summary>
/// <c>world.json</c>: what a world is made of (options that shape the content, kinds, colours, sizes, positions,
/// templates, split counts). Written last, so its presence marks a complete world. Holds nothing run-specific
/// (no time, no thread count), so equal options give an identical manifest.
/// </summary>
internal static class WorldManifest
{
    public const string Format = "cleanclip-synth";
    public const int Version = 1;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Whether <paramref name="path"/> is a regular file holding a JSON object whose format is <see cref="Format"/>.</summary>
    public static bool IsWorldManifest(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.LinkTarget is not null) return false;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("format", out var format)
                && format.ValueKind == JsonValueKind.String && format.GetString() == Format;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static void Write(string path, SyntheticWorldOptions o, IReadOnlyDictionary<SyntheticSplit, IReadOnlyList<SyntheticSample>> splits)
    {
        var manifest = new
        {
            format = Format,
            version = Version,
            seed = o.Seed,
            image_size = o.ImageSize,
            supersampling = o.Supersampling,
            noise_sigma = o.NoiseSigma,
            clutter_probability = o.ClutterProbability,
            max_clutter = o.MaxClutter,
            kind_centred_probability = o.KindCentredProbability,
            kinds = o.Kinds,
            kind_colours = o.Kinds.Select(ShapeCatalog.Get).Where(k => k.Colours is not null)
                .ToDictionary(k => k.Name, k => k.Colours),
            colours = Palette.Colours.Select(c => new { name = c.Name, rgb = c.Value.ToString() }),
            min_contrast = Palette.MinContrast,
            drawn_sizes = o.Sizes.Select(s => s.ToString().ToLowerInvariant()),
            sizes = SceneSampler.Radius.ToDictionary(s => s.Key.ToString().ToLowerInvariant(),
                s => new { radius = s.Value, words = CaptionWriter.SizeWords[s.Key] }),
            cell_centres = SceneSampler.CellCentres,
            positions = CaptionWriter.PositionPhrases,
            caption_templates = new { attribute = CaptionWriter.AttributeTemplates, kind = CaptionWriter.KindTemplates },
            class_templates = CaptionWriter.ClassTemplates,
            splits = new
            {
                train = new { count = splits[SyntheticSplit.Train].Count, table = "train/train.csv" },
                finetune = new { count = splits[SyntheticSplit.Finetune].Count, table = "finetune/finetune.csv" },
                test = new
                {
                    count = splits[SyntheticSplit.Test].Count,
                    labels = "test/labels.csv",
                    classes = "test/classes.json",
                    per_class = o.Kinds.Select((_, k) => splits[SyntheticSplit.Test].Count(s => s.Label == k)),
                },
            },
        };
        File.WriteAllText(path, JsonSerializer.Serialize(manifest, Json) + "\n", new UTF8Encoding(false));
    }
}
