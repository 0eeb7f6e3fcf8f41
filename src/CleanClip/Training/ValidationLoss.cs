using CleanClip.Data;
using CleanClip.Data.Pipeline;
using CleanClip.Models;
using CleanClip.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Training;

/// <summary>
/// The reference's validation loss (docs/reference-behaviour.md §12.4): per batch of original pairs, ½[ΣCE(s·I·Tᵀ) +
/// ΣCE(s·T·Iᵀ)] with in-batch negatives, summed over batches and divided by the pairs. It needs no augmented views, so
/// it works alongside in-modal training (the reference's does not).
/// </summary>
public static class ValidationLoss
{
    public static double Compute(ClipModel model, ClipTokenizer tokenizer, ImageCaptionDataset data, int batchSize, int decodeThreads = 0)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            var device = model.TokenEmbedding.weight!.device;
            var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = model.Config.ImageResolution });
            var pipeline = ImagePipeline.FromRows(data.Rows, preprocessor,
                new PipelineOptions { BatchSize = batchSize, Shuffle = false, DecodeThreads = decodeThreads }, normalize: true);
            double total = 0;
            long pairs = 0;
            foreach (var batch in pipeline.Start(0))
                using (batch)
                using (NewDisposeScope())
                {
                    var tokens = tokenizer.TokenizeToTensor(batch.Indices.Select(i => data.Rows[i].Caption).ToList()).to(device);
                    var (images, texts) = model.forward(batch[ImagePipeline.Pixels].to(device), tokens);
                    var logits = model.LogitScale.exp() * images.matmul(texts.t());
                    var targets = arange(logits.shape[0], dtype: ScalarType.Int64, device: device);
                    var sum = (nn.functional.cross_entropy(logits, targets, reduction: nn.Reduction.Sum)
                               + nn.functional.cross_entropy(logits.t(), targets, reduction: nn.Reduction.Sum)) / 2;
                    total += sum.item<float>();
                    pairs += batch.Count;
                }
            if (pairs == 0) throw new InvalidDataException($"{data.Root}: no readable validation images");
            return total / pairs;
        }
        finally
        {
            if (wasTraining) model.train();
        }
    }
}
