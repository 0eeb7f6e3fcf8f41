using CleanClip.Data;
using CleanClip.Evaluation;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Evaluation;

public class ZeroShotTests
{
    [Fact]
    public void EnsembleNormalisesEachPromptThenAveragesThenRenormalises()
    {
        // Class 0: prompts (3,4) and (0,2) → unit (0.6,0.8) and (0,1) → mean (0.3,0.9) → /√0.9.
        // Without the per-prompt normalisation the longer prompt would dominate: (1.5,3) → a different direction.
        using var prompts = torch.tensor(new float[] { 3, 4, 0, 2, 1, 0, 5, 0 }).view(2, 2, 2);
        using var classes = ZeroShotClassifier.EnsemblePrompts(prompts);
        double n = Math.Sqrt(0.3 * 0.3 + 0.9 * 0.9);
        var expected = new[] { (float)(0.3 / n), (float)(0.9 / n), 1f, 0f };
        Assert.Equal(expected, classes.data<float>().ToArray(), new FloatComparer(1e-6f));
    }

    [Fact]
    public void TopKRanksClassesByCosine()
    {
        var file = new ClassesFile(["a", "b", "c"], ["{}"]);
        using var embeddings = torch.tensor(new float[] { 1, 0, 0, 1, 0.6f, 0.8f }).view(3, 2);
        using var classifier = new ZeroShotClassifier(file, embeddings);
        using var image = torch.tensor(new float[] { 0.8f, 0.6f }).view(1, 2);
        var (indices, scores) = classifier.TopK(image, 2);
        // cos with a, b, c = 0.8, 0.6, 0.48 + 0.48 = 0.96
        Assert.Equal(new long[] { 2, 0 }, indices.data<long>().ToArray());
        Assert.Equal(0.96f, scores[0, 0].item<float>(), tolerance: 1e-5);
        Assert.Equal(0.8f, scores[0, 1].item<float>(), tolerance: 1e-5);
    }

    [SkippableFact]
    public void ClassesFileReadsTheSharedImageNetFile()
    {
        var path = TestPaths.SharedFile("data", "zeroshot", "imagenet1k.json");
        Skip.If(path is null, "shared/data/zeroshot/imagenet1k.json is absent");
        var file = ClassesFile.Read(path!);
        Assert.Equal(1000, file.Classes.Count);
        Assert.Equal(80, file.Templates.Count);
        Assert.Equal(954, file.IndexOf("banana"));
        Assert.Contains("a photo of a banana.", file.Prompts(954));
    }

    [Theory]
    [InlineData("{\"classes\": [\"a\"], \"templates\": [\"no marker\"]}", "has no {}")]
    [InlineData("{\"templates\": [\"{}\"]}", "\"classes\" array")]
    [InlineData("{\"classes\": [1, 2]}", "\"classes\"[0] must be a string")]
    [InlineData("{\"classes\": [\"a\",\n oops]}", "line 2")]
    [InlineData("{\"classes\": []}", "is empty")]
    public void BadClassesFilesNameTheProblem(string json, string expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"classes-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => ClassesFile.Read(path));
            Assert.Contains(expected, error.Message);
            Assert.Contains(path, error.Message);
        }
        finally { File.Delete(path); }
    }

    private sealed class FloatComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
