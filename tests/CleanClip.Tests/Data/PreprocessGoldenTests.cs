using System.Security.Cryptography;
using System.Text.Json;
using CleanClip.Data;
using Xunit;
using Xunit.Abstractions;

namespace CleanClip.Tests.Data;

/// <summary>Resize + center crop against PIL (tools/golden/preprocess_golden.py), on real photos and small fixtures.</summary>
public class PreprocessGoldenTests(ITestOutputHelper output)
{
    private static readonly JsonElement[] Cases = LoadCases();

    private static JsonElement[] LoadCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("preprocess", "index.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    }

    public static TheoryData<string> CaseNames() => new(Cases.Select(c => c.GetProperty("name").GetString()!));

    [Fact]
    public void Index_lists_photos_an_upscale_and_a_large_downscale()
    {
        Assert.True(Cases.Count(c => c.GetProperty("origin").GetString() == "skimage") >= 3);
        var fixtures = Cases.Where(c => c.GetProperty("origin").GetString() == "fixture").ToArray();
        Assert.Contains(fixtures, c => SourceShort(c) < c.GetProperty("resolution").GetInt32());
        Assert.Contains(fixtures, c => SourceShort(c) >= 8 * c.GetProperty("resolution").GetInt32() && SourceIsNonSquare(c));
    }

    [SkippableTheory]
    [MemberData(nameof(CaseNames))]
    public void Matches_PIL_within_one_level(string name)
    {
        var c = Cases.Single(e => e.GetProperty("name").GetString() == name);
        var file = c.GetProperty("file").GetString()!;
        var path = c.GetProperty("origin").GetString() == "fixture" ? TestPaths.Fixture("preprocess", file) : SkimageData.Find(file);
        Skip.If(path is null, SkimageData.Missing(file));
        var encoded = File.ReadAllBytes(path!);
        var sha = Convert.ToHexStringLower(SHA256.HashData(encoded));
        Skip.If(sha != c.GetProperty("sha256").GetString(), $"{path} differs from the file the golden data was made from (sha256 {sha})");

        var r = c.GetProperty("resolution").GetInt32();
        var image = ImageDecoder.Decode(encoded, path!);
        Assert.Equal(Size(c, "source_size"), (image.Width, image.Height));
        Assert.Equal(Size(c, "resized_size"), ClipPreprocessor.ResizedSize(image.Width, image.Height, r));
        var decodedExact = Convert.ToHexStringLower(SHA256.HashData(image.Pixels)) == c.GetProperty("decoded_rgb_sha256").GetString();
        output.WriteLine($"{name}: decoded pixels {(decodedExact ? "identical to" : "differ from")} PIL's");
        // PNG is lossless, so any difference is ours; JPEG decoders may legitimately differ in IDCT/upsampling.
        if (file.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            Assert.True(decodedExact, $"{name}: decoded PNG pixels differ from PIL's convert(\"RGB\")");

        var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = r });
        using var actual = preprocessor.ResizeAndCropTensor(image);
        Assert.Equal(new long[] { 3, r, r }, actual.shape);
        var expected = File.ReadAllBytes(TestPaths.Fixture("preprocess", c.GetProperty("output").GetString()!)); // CHW
        var got = actual.bytes.ToArray();
        Assert.Equal(expected.Length, got.Length);

        long sum = 0;
        var max = 0;
        var differing = 0;
        for (var i = 0; i < got.Length; i++)
        {
            var d = Math.Abs(got[i] - expected[i]);
            sum += d;
            max = Math.Max(max, d);
            if (d > 0) differing++;
        }
        var mad = sum / (double)got.Length;
        output.WriteLine($"{name}: MAD {mad:F4}/255, max {max}/255, {differing} of {got.Length} values differ");
        var report = $"{name}: MAD {mad:F4}/255, max {max}/255, {differing} of {got.Length} values differ";
        Assert.True(mad <= 1.0, report + " (limit: MAD 1/255)");
        // PIL-style rounding leaves < 1% of values off by one; resampling in float without it changes ~15%.
        Assert.True(differing <= got.Length / 100, report + " (limit: 1% of values)");
    }

    private static (int, int) Size(JsonElement c, string property)
    {
        var a = c.GetProperty(property);
        return (a[0].GetInt32(), a[1].GetInt32());
    }

    private static int SourceShort(JsonElement c) => Math.Min(Size(c, "source_size").Item1, Size(c, "source_size").Item2);

    private static bool SourceIsNonSquare(JsonElement c) => Size(c, "source_size").Item1 != Size(c, "source_size").Item2;
}
