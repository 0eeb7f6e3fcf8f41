using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Evaluation;
using CleanClip.Models;
using CleanClip.Text;
using TorchSharp;
using Xunit;

namespace CleanClip.Tests.Evaluation;

/// <summary>Template ensembling on a real tiny model, and the class-embedding cache's key.</summary>
public class ClassEmbeddingCacheTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly string modelPath, vocabPath, classesPath;
    private readonly ClipTokenizer tokenizer;

    public ClassEmbeddingCacheTests()
    {
        vocabPath = dir.File("vocab.txt.gz");
        BpeTrainer.TrainToFile(Enumerable.Repeat("a photo of a banana. a drawing of a red circle. a star", 3), vocabPath, numMerges: 60, minFrequency: 1);
        tokenizer = ClipTokenizer.FromVocabFile(vocabPath, new TokenizerOptions());
        modelPath = dir.File("tiny.safetensors");
        SaveModel(seed: 1);
        classesPath = dir.File("classes.json");
        File.WriteAllText(classesPath, """{"classes": ["banana", "circle", "star"], "templates": ["a photo of a {}.", "a drawing of a {}."]}""");
    }

    public void Dispose() => dir.Dispose();

    private void SaveModel(long seed)
    {
        torch.manual_seed(seed);
        using var model = new ClipModel(ModelRegistry.Get("tiny-rn"));
        ModelLoader.Save(model, modelPath);
    }

    private (float[] Embeddings, bool Hit) Lookup(ClassEmbeddingCache cache)
    {
        using var model = ModelLoader.Load(modelPath);
        model.eval();
        var classes = ClassesFile.Read(classesPath);
        var description = ClassEmbeddingCache.Describe(modelPath, null, 0, classes, vocabPath, TruncationMode.KeepEndOfText);
        using var classifier = cache.GetOrBuild(model, tokenizer, classes, description, out bool hit);
        return (classifier.ClassEmbeddings.data<float>().ToArray(), hit);
    }

    [Fact]
    public void EnsembleOnATinyModelEqualsTheHandComputation()
    {
        using var model = ModelLoader.Load(modelPath);
        model.eval();
        var classes = ClassesFile.Read(classesPath);
        using var classifier = ZeroShotClassifier.Build(model, tokenizer.TokenizeToTensor, classes, batchSize: 4);
        using var noGrad = torch.no_grad();
        for (int c = 0; c < classes.Classes.Count; c++)
        {
            // One prompt at a time, in doubles: unit vector per prompt, mean over templates, unit again.
            var sum = new double[model.Config.EmbedDim];
            foreach (var prompt in classes.Prompts(c))
            {
                using var features = model.EncodeText(tokenizer.TokenizeToTensor([prompt]));
                var v = features.data<float>().Select(x => (double)x).ToArray();
                double norm = Math.Sqrt(v.Sum(x => x * x));
                for (int j = 0; j < v.Length; j++) sum[j] += v[j] / norm / classes.Templates.Count;
            }
            double total = Math.Sqrt(sum.Sum(x => x * x));
            var expected = sum.Select(x => (float)(x / total)).ToArray();
            var actual = classifier.ClassEmbeddings[c].data<float>().ToArray();
            // The classifier encodes prompts in batches of 4, the hand computation one at a time: the GEMM kernels a CPU
            // picks for each shape sum in different orders, so entries of these unit vectors (about 0.1 in size) differ
            // by float32 rounding, a few 1e-7. 1e-5 absorbs that on any CPU and still catches a wrong mean or norm.
            for (int j = 0; j < expected.Length; j++) Assert.Equal(expected[j], actual[j], tolerance: 1e-5);
        }
    }

    [Fact]
    public void SecondLookupHitsWithTheSameEmbeddings()
    {
        var cache = new ClassEmbeddingCache(dir.File("cache"));
        var (first, hit1) = Lookup(cache);
        var (second, hit2) = Lookup(cache);
        Assert.False(hit1);
        Assert.True(hit2);
        Assert.Equal(first, second);
        Assert.Single(Directory.GetFiles(dir.File("cache"), "*.safetensors", SearchOption.AllDirectories));
    }

    [Fact]
    public void ChangedClassesFileMisses()
    {
        var cache = new ClassEmbeddingCache(dir.File("cache"));
        var (before, _) = Lookup(cache);
        File.WriteAllText(classesPath, """{"classes": ["banana", "circle", "star"], "templates": ["a photo of a {}."]}""");
        var (after, hit) = Lookup(cache);
        Assert.False(hit);
        Assert.NotEqual(before, after);
        // Only the content counts: the same classes and templates written differently still hit.
        File.WriteAllText(classesPath, "{ \"templates\": [\"a photo of a {}.\"],\n  \"classes\": [\"banana\", \"circle\", \"star\"] }");
        Assert.True(Lookup(cache).Hit);
    }

    [Fact]
    public void ChangedCheckpointFileMisses()
    {
        var cache = new ClassEmbeddingCache(dir.File("cache"));
        var (before, _) = Lookup(cache);
        SaveModel(seed: 2);
        var (after, hit) = Lookup(cache);
        Assert.False(hit);
        Assert.NotEqual(before, after);
        SaveModel(seed: 1);
        Assert.True(Lookup(cache).Hit);
    }

    [Fact]
    public void KeyDependsOnVocabularyRegistrySeedAndTruncation()
    {
        var classes = ClassesFile.Read(classesPath);
        string Key(string model, long seed, string vocab, TruncationMode mode) =>
            ClassEmbeddingCache.Key(ClassEmbeddingCache.Describe(model, null, seed, classes, vocab, mode));
        var otherVocab = dir.File("vocab2.txt.gz");
        BpeTrainer.TrainToFile(["a photo of a star"], otherVocab, numMerges: 10, minFrequency: 1);
        var baseKey = Key("tiny-rn", 0, vocabPath, TruncationMode.KeepEndOfText);
        Assert.Equal(baseKey, Key("TINY-RN", 0, vocabPath, TruncationMode.KeepEndOfText));
        Assert.NotEqual(baseKey, Key("tiny-rn", 1, vocabPath, TruncationMode.KeepEndOfText));
        Assert.NotEqual(baseKey, Key("tiny-rn", 0, otherVocab, TruncationMode.KeepEndOfText));
        Assert.NotEqual(baseKey, Key("tiny-rn", 0, vocabPath, TruncationMode.Reference));
    }

    // bf16 class embeddings differ from fp32 ones in the third digit, so a bf16 evaluation must not read fp32's cache
    // (and the other way round); fp32 keys have no precision line, so caches written without one stay valid.
    [Fact]
    public void KeyDependsOnPrecisionAndFp32KeysAreUnchanged()
    {
        var classes = ClassesFile.Read(classesPath);
        var fp32 = ClassEmbeddingCache.Describe("tiny-rn", null, 0, classes, vocabPath, TruncationMode.KeepEndOfText);
        Assert.Equal(fp32, ClassEmbeddingCache.Describe("tiny-rn", null, 0, classes, vocabPath, TruncationMode.KeepEndOfText, Precision.Fp32));
        Assert.DoesNotContain("precision", fp32);
        var bf16 = ClassEmbeddingCache.Describe("tiny-rn", null, 0, classes, vocabPath, TruncationMode.KeepEndOfText, Precision.Bf16);
        Assert.NotEqual(ClassEmbeddingCache.Key(fp32), ClassEmbeddingCache.Key(bf16));
        Assert.EndsWith("\nprecision=bf16", bf16);
    }

    [Fact]
    public void UnreadableCacheFileIsRebuilt()
    {
        var cache = new ClassEmbeddingCache(dir.File("cache"));
        var (before, _) = Lookup(cache);
        var file = Assert.Single(Directory.GetFiles(dir.File("cache"), "*.safetensors", SearchOption.AllDirectories));
        File.WriteAllBytes(file, [1, 2, 3]);
        var (after, hit) = Lookup(cache);
        Assert.False(hit);
        Assert.Equal(before, after);
        Assert.True(Lookup(cache).Hit);
    }

    [Fact]
    public void DefaultDirectoryFollowsXdgCacheHome()
    {
        var saved = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        try
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", "/tmp/xdg-test");
            Assert.Equal("/tmp/xdg-test/cleanclip", ClassEmbeddingCache.DefaultDirectory());
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", null);
            Assert.EndsWith(Path.Combine(".cache", "cleanclip"), ClassEmbeddingCache.DefaultDirectory());
        }
        finally { Environment.SetEnvironmentVariable("XDG_CACHE_HOME", saved); }
    }
}
