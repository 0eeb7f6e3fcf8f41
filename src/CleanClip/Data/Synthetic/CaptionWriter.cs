using System.Text;

namespace CleanClip.Data.Synthetic;

/// <summary>A caption and the template it was filled from.</summary>
public sealed record Caption(string Text, string Template, bool KindCentred);

/// <summary>
/// Captions from templates with slots <c>{size} {colour} {kind} {bg} {pos}</c> and <c>{a}</c> (the article of the next
/// word). Attribute-rich templates name colour, size, position or background; kind-centred ones only the kind, in the
/// style of zero-shot prompts, so every kind, banana included, has clean "a photo of a banana." captions to learn from.
/// </summary>
public static class CaptionWriter
{
    public static readonly IReadOnlyList<string> AttributeTemplates =
    [
        "{a} {size} {colour} {kind} on {a} {bg} background",
        "there is {a} {colour} {kind} {pos}",
        "{a} {colour} {kind} {pos} on {a} {bg} background",
        "{a} {size} {kind} {pos}",
        "a picture of {a} {size} {colour} {kind}",
        "{a} {bg} background with {a} {colour} {kind} {pos}",
        "{a} {colour} {kind}, {size}, {pos}",
        "a drawing of {a} {size} {colour} {kind} {pos}",
        "{a} {size} {colour} {kind} {pos}",
        "{a} {colour} {kind} on {bg}",
        "{a} {kind} colored {colour} on {a} {bg} background",
        "{a} {size} {kind} {pos}, painted {colour}",
    ];

    public static readonly IReadOnlyList<string> KindTemplates =
    [
        "a photo of {a} {kind}.",
        "{a} {kind}.",
        "an image of {a} {kind}.",
        "a picture of {a} {kind}.",
        "this is {a} {kind}.",
        "a drawing of {a} {kind}.",
        "a photo of the {kind}.",
        "a close-up of {a} {kind}.",
    ];

    /// <summary>The zero-shot prompts written to classes.json; the first three kind templates in CLIP's spelling.</summary>
    public static readonly IReadOnlyList<string> ClassTemplates = ["a photo of a {}.", "a {}.", "an image of a {}."];

    public static readonly IReadOnlyDictionary<SizeClass, IReadOnlyList<string>> SizeWords = new Dictionary<SizeClass, IReadOnlyList<string>>
    {
        [SizeClass.Small] = ["small", "little"],
        [SizeClass.Medium] = ["medium", "medium-sized"],
        [SizeClass.Large] = ["large", "big"],
    };

    /// <summary>Position phrases by grid row, then column.</summary>
    public static readonly IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> PositionPhrases =
    [
        [
            ["at the top left", "in the top left corner", "in the upper left"],
            ["at the top", "near the top", "at the top center"],
            ["at the top right", "in the top right corner", "in the upper right"],
        ],
        [
            ["on the left", "at the left side"],
            ["in the center", "in the middle"],
            ["on the right", "at the right side"],
        ],
        [
            ["at the bottom left", "in the bottom left corner", "in the lower left"],
            ["at the bottom", "near the bottom", "at the bottom center"],
            ["at the bottom right", "in the bottom right corner", "in the lower right"],
        ],
    ];

    public static Caption Write(Scene scene, double kindCentredProbability, ref SplitMix64 random)
    {
        bool kindCentred = random.NextBool(kindCentredProbability);
        var template = random.Pick(kindCentred ? KindTemplates : AttributeTemplates);
        var o = scene.Object;
        var text = new StringBuilder(template)
            .Replace("{size}", random.Pick(SizeWords[o.Size]))
            .Replace("{colour}", o.Colour.Name)
            .Replace("{kind}", o.Kind)
            .Replace("{bg}", scene.Background.Colour.Name)
            .Replace("{pos}", random.Pick(PositionPhrases[o.Cell.Row][o.Cell.Column]))
            .ToString();
        return new Caption(ResolveArticles(text), template, kindCentred);
    }

    /// <summary>"{a} orange" → "an orange", "{a} red" → "a red".</summary>
    public static string ResolveArticles(string text)
    {
        const string slot = "{a} ";
        var result = new StringBuilder(text.Length);
        int start = 0;
        for (int at = text.IndexOf(slot, StringComparison.Ordinal); at >= 0; at = text.IndexOf(slot, start, StringComparison.Ordinal))
        {
            result.Append(text, start, at - start);
            start = at + slot.Length;
            bool vowel = start < text.Length && "aeiou".Contains(text[start]);
            result.Append(vowel ? "an " : "a ");
        }
        return result.Append(text, start, text.Length - start).ToString();
    }
}
