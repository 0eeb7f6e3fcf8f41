using System.Text.RegularExpressions;
using CleanClip.Data;
using CleanClip.Data.Synthetic;
using Xunit;

namespace CleanClip.Tests.Data.Synthetic;

/// <summary>Captions say what the image shows: checked against the planned scene of each image.</summary>
public class CaptionTests
{
    private static readonly SyntheticWorldOptions Options = new() { Count = 1500, FinetuneCount = 500, ImageSize = 32 };
    private static readonly IReadOnlyList<SyntheticSample> Captioned =
        [.. WorldPlanner.Plan(Options, SyntheticSplit.Train), .. WorldPlanner.Plan(Options, SyntheticSplit.Finetune)];

    private static bool HasWord(string text, string word) => Regex.IsMatch(text, $@"\b{Regex.Escape(word)}\b");

    [Fact]
    public void EveryCaptionNamesItsKindAndNoOther()
    {
        foreach (var s in Captioned)
        {
            var text = s.Caption!.Text;
            Assert.False(string.IsNullOrWhiteSpace(text));
            Assert.Equal(Options.Kinds[s.Label], s.Scene.Object.Kind);
            Assert.True(HasWord(text, s.Scene.Object.Kind), $"'{text}' does not name a {s.Scene.Object.Kind}");
            Assert.All(Options.Kinds.Where(k => k != s.Scene.Object.Kind), other => Assert.False(HasWord(text, other), $"'{text}' names {other}"));
        }
    }

    [Fact]
    public void AttributeWordsMatchTheScene()
    {
        var colourNames = Palette.Colours.Select(c => c.Name).ToList();
        foreach (var s in Captioned)
        {
            var (text, template, o) = (s.Caption!.Text, s.Caption.Template, s.Scene.Object);
            var coloursSaid = colourNames.Where(c => HasWord(text, c)).ToHashSet();
            if (s.Caption.KindCentred)
            {
                Assert.Contains(template, CaptionWriter.KindTemplates);
                Assert.Empty(coloursSaid);
                continue;
            }
            Assert.Contains(template, CaptionWriter.AttributeTemplates);
            Assert.Subset(new HashSet<string> { o.Colour.Name, s.Scene.Background.Colour.Name }, coloursSaid);
            if (template.Contains("{colour}")) Assert.Contains(o.Colour.Name, coloursSaid);
            if (template.Contains("{bg}")) Assert.Contains(s.Scene.Background.Colour.Name, coloursSaid);
            foreach (var (size, words) in CaptionWriter.SizeWords)
            {
                bool said = words.Any(w => HasWord(text, w));
                Assert.True(said == (size == o.Size && template.Contains("{size}")), $"'{text}' vs size {o.Size}");
            }
            if (template.Contains("{pos}"))
                Assert.Contains(CaptionWriter.PositionPhrases[o.Cell.Row][o.Cell.Column], phrase => text.Contains(phrase));
        }
    }

    [Fact]
    public void BothTemplateFamiliesAndEverySynonymOccur()
    {
        var texts = Captioned.Select(s => s.Caption!.Text).ToList();
        var templates = Captioned.Select(s => s.Caption!.Template).ToHashSet();
        Assert.Equal(CaptionWriter.AttributeTemplates.Count + CaptionWriter.KindTemplates.Count, templates.Count);
        Assert.All(CaptionWriter.SizeWords.Values.SelectMany(w => w), word => Assert.Contains(texts, t => HasWord(t, word)));
        Assert.Contains("a photo of a banana.", texts);
        double kindCentred = Captioned.Count(s => s.Caption!.KindCentred) / (double)Captioned.Count;
        Assert.InRange(kindCentred, 0.35, 0.45);
    }

    [Fact]
    public void ArticlesAgreeWithTheNextWord()
    {
        foreach (var text in Captioned.Select(s => s.Caption!.Text))
        {
            Assert.DoesNotMatch(@"\ba [aeiou]", text);
            Assert.DoesNotMatch(@"\ban [^aeiou]", text);
            Assert.DoesNotContain("{", text);
        }
        Assert.Equal("an orange arrow on a blue background", CaptionWriter.ResolveArticles("{a} orange arrow on {a} blue background"));
    }

    [Fact]
    public void TheCaptionColourIsThePaintedColour()
    {
        // Noise-free renders: interior pixels of the object (drawn last) are exactly its fill colour.
        using var renderer = new SceneRenderer(Options.ImageSize);
        foreach (var s in Captioned.Take(300))
        {
            var o = s.Scene.Object;
            var named = Palette.Get(o.Colour.Name).Value;
            Assert.InRange(Math.Max(Math.Abs(o.Fill.R - named.R), Math.Max(Math.Abs(o.Fill.G - named.G), Math.Abs(o.Fill.B - named.B))), 0, 10);
            Assert.True(Palette.Contrasts(o.Colour, s.Scene.Background.Colour), $"{o.Colour.Name} on {s.Scene.Background.Colour.Name}");
            var quiet = s.Scene with { NoiseSigma = 0 };
            int painted = CountExactly(renderer.Render(quiet), o.Fill);
            int withoutObject = CountExactly(renderer.Render(quiet with { Object = o with { Radius = 0 } }), o.Fill);
            // At least a tenth of the object's disc is fully covered, even for a small ring or crescent at 32 px.
            double disc = Math.PI * Math.Pow(o.Radius * Options.ImageSize, 2);
            Assert.True(painted - withoutObject >= 0.1 * disc, $"{s.Image} ({o.Size} {o.Kind}): {painted} pixels of {o.Fill}, disc {disc:0}");
        }
    }

    private static int CountExactly(RgbImage image, Rgb colour)
    {
        int count = 0;
        for (int y = 0; y < image.Height; y++)
        for (int x = 0; x < image.Width; x++)
            if (image[x, y] == (colour.R, colour.G, colour.B)) count++;
        return count;
    }
}
