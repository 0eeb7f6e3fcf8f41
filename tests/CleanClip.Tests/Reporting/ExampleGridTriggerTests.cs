using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Evaluation;
using CleanClip.Reporting;
using CleanClip.Poisoning;
using CleanClip.Text;
using TorchSharp;
using Xunit;
using CleanClip.Tests.Evaluation;

namespace CleanClip.Tests.Reporting;

/// <summary>The report's example grid shows eval image i with the very trigger (seed, preprocessing) the zero-shot ASR used.</summary>
[Collection(EvalWorldCollection.Name)]
public class ExampleGridTriggerTests(EvalWorld world)
{
    [Theory]
    [InlineData(ResizeMode.Crop)]
    [InlineData(ResizeMode.Squash)]
    public void TriggeredExamplesAreTheImagesEvalBatchesMade(ResizeMode mode)
    {
        using var model = ModelLoader.Load(world.First, device: torch.CPU);
        var data = LabeledImageDataset.Load(world.TestFolder);
        var tokenizer = ClipTokenizer.FromVocabFile(world.Vocab);
        // A trigger that differs per image (random noise patch at a random place), so a wrong seed shows.
        var trigger = TriggerFactory.Create(new TriggerOptions { Name = "badnet", PatchSize = 8, Location = PatchLocation.Random, Seed = 3 });
        const ulong seed = 11;
        var examples = ExampleGrid.Predict(model, tokenizer, data, data.Classes, trigger, mode, targetIndex: 0, seed, count: 4);
        Assert.Equal(4, examples.Count);

        var batches = new EvalBatches(32, trigger, mode, seed, batchSize: 64);
        var clean = new List<byte[]>();
        var triggered = new List<byte[]>();
        foreach (var batch in batches.Read(data.Images, data.Root))
            for (int i = 0; i < batch.Rows.Length; i++)
            {
                clean.Add(Bytes(batch.Clean[i]));
                triggered.Add(Bytes(batch.Triggered![i]));
            }
        var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = 32 });
        foreach (var example in examples)
        {
            int row = clean.FindIndex(c => c.AsSpan().SequenceEqual(Bytes(preprocessor.Preprocess(example.Clean))));
            Assert.True(row >= 0, "an example's clean image is not an eval image");
            Assert.Equal(triggered[row], Bytes(preprocessor.Preprocess(example.Triggered)));
        }
    }

    private static byte[] Bytes(torch.Tensor pixels)
    {
        using var contiguous = pixels.contiguous();
        return contiguous.bytes.ToArray();
    }
}
