using System.Text.Json;
using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Models;
using CleanClip.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Evaluation;

/// <summary>
/// <c>cleanclip embed</c>: L2-normalised image and text embeddings as float32 .npy (rows in sorted-file-name and line
/// order) with an <c>embed.json</c> index naming each row and every skipped image.
/// </summary>
public static class EmbedJob
{
    public sealed record Result(int Images, int Texts, IReadOnlyList<SkippedInput> Skipped, string IndexPath);

    private static readonly JsonSerializerOptions IndexJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Result Run(EmbedOptions options, IProgress<JobProgress>? progress = null)
    {
        if (options.Images is null && options.Texts is null) throw new ArgumentException("nothing to embed: give images, texts or both");
        if (options.Texts is not null && options.Vocab is null) throw new ArgumentException("embedding texts needs a vocabulary file (--vocab)");
        var device = TorchDevice.Choose(options.Device);
        var tokenizer = options.Texts is null ? null : ClipTokenizer.FromVocabFile(options.Vocab!, new TokenizerOptions { Truncation = options.Truncation });
        using var model = ModelLoader.Load(options.Model, options.ModelConfig, device: device, read: CheckpointReadOptions.Trusting(options.TrustTorchScript), heads: options.Heads);
        if (tokenizer is not null) TokenizerFit.Check(model, tokenizer, options.Vocab!);
        model.eval();
        Directory.CreateDirectory(options.Output);
        using var noGrad = torch.no_grad();

        var index = new Dictionary<string, object?> { ["model"] = options.Model, ["config"] = model.Config.Name, ["embed_dim"] = model.Config.EmbedDim };
        var skipped = new List<SkippedInput>();
        int imageCount = 0, textCount = 0;
        if (options.Images is not null)
        {
            var outside = new List<SkippedRow>();
            var list = ImageList.From(options.Images, options.ImageKey, options.AllowOutsideRoot, outside);
            var batches = ImageBatches.ForModel(model, options.BatchSize, options.DecodeThreads);
            var names = new List<string>();
            var rows = new List<Tensor>();
            foreach (var (batchNames, pixels) in batches.Read(list))
            {
                using var scope = torch.NewDisposeScope();
                rows.Add(model.ImageEmbeddings(pixels.to(device)).cpu().MoveToOuterDisposeScope());
                names.AddRange(batchNames);
                progress?.Report(new JobProgress("images", names.Count, list.Count));
            }
            progress?.Report(new JobProgress("images", list.Count, list.Count));
            WriteRows(Path.Combine(options.Output, "image_embeddings.npy"), rows, model.Config.EmbedDim);
            skipped.AddRange(outside.Select(SkippedInput.From));
            skipped.AddRange(batches.Skipped);
            imageCount = names.Count;
            index["images"] = names;
            index["skipped_images"] = skipped.ToList();
        }
        if (options.Texts is not null)
        {
            var lines = File.ReadAllLines(options.Texts);
            var rows = new List<Tensor>();
            for (int start = 0; start < lines.Length; start += options.BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                var batch = lines.Skip(start).Take(options.BatchSize).ToList();
                var tokens = tokenizer!.TokenizeToTensor(batch).to(device);
                rows.Add(model.TextEmbeddings(tokens).cpu().MoveToOuterDisposeScope());
                progress?.Report(new JobProgress("texts", start + batch.Count, lines.Length));
            }
            WriteRows(Path.Combine(options.Output, "text_embeddings.npy"), rows, model.Config.EmbedDim);
            textCount = lines.Length;
            index["texts_file"] = Path.GetFullPath(options.Texts);
            index["texts"] = textCount;
        }
        var indexPath = Path.Combine(options.Output, "embed.json");
        AtomicFile.WriteAllText(indexPath, JsonSerializer.Serialize(index, IndexJson));
        return new Result(imageCount, textCount, skipped, indexPath);
    }

    private static void WriteRows(string path, List<Tensor> rows, int width)
    {
        using var all = rows.Count == 0 ? torch.zeros(0, width) : torch.cat(rows, 0);
        NpyFile.Write(path, all);
        foreach (var row in rows) row.Dispose();
    }
}
