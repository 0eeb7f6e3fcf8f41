using System.CommandLine;
using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Models;
using CleanClip.Text;
using CleanClip.Training.Supervised;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip finetune-supervised</c>: image tower + linear head on a labeled folder (the paper's supervised finetuning defense).</summary>
public static class SupervisedCommand
{
    public static Command Create()
    {
        var d = new SupervisedOptions();
        var checkpoint = new Option<string>("--checkpoint") { Description = "CLIP checkpoint (or model name) to finetune.", Required = true };
        var trainData = new Option<string>("--train-data") { Description = "Labeled folder: labels.csv (image,label) + classes.json/classes.py.", Required = true };
        var classes = new Option<string?>("--classes") { Description = "Classes file (default: the one in --train-data)." };
        var headInit = new Option<HeadInit>("--head-init") { Description = "Random (the reference) or ZeroShot (needs --vocab).", DefaultValueFactory = _ => d.HeadInit };
        var vocab = new Option<string?>("--vocab") { Description = "BPE vocabulary, for --head-init ZeroShot." };
        var output = new Option<string>("--out") { DefaultValueFactory = _ => "runs/supervised" };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => d.Epochs };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => d.LearningRate };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => d.BatchSize };
        var warmup = new Option<int>("--warmup") { DefaultValueFactory = _ => d.WarmupSteps };
        var wd = new Option<double>("--weight-decay") { DefaultValueFactory = _ => d.WeightDecay };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => d.Seed };
        var threads = new Option<int>("--decode-threads") { DefaultValueFactory = _ => d.DecodeThreads };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "auto" };
        var command = new Command("finetune-supervised", "Supervised finetuning of the image tower with a linear head on labeled images (writes model.safetensors + head.safetensors).")
        {
            checkpoint, trainData, classes, headInit, vocab, output, epochs, lr, batch, warmup, wd, seed, threads, device,
        };
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var options = d with
            {
                HeadInit = parse.GetValue(headInit), Epochs = parse.GetValue(epochs), LearningRate = parse.GetValue(lr),
                BatchSize = parse.GetValue(batch), WarmupSteps = parse.GetValue(warmup), WeightDecay = parse.GetValue(wd),
                Seed = parse.GetValue(seed), DecodeThreads = parse.GetValue(threads),
            };
            var data = LabeledImageDataset.Load(parse.GetValue(trainData)!, parse.GetValue(classes));
            using var model = ModelLoader.Load(parse.GetValue(checkpoint)!, device: TorchDevice.Choose(parse.GetValue(device)!));
            var tokenizer = parse.GetValue(vocab) is { } v ? ClipTokenizer.FromVocabFile(v) : null;
            var result = ConsoleUi.WithTraining(progress => SupervisedTrainer.Run(new SupervisedRun
            {
                Model = model, TrainData = data, Options = options, RunDirectory = parse.GetValue(output)!, Tokenizer = tokenizer,
            }, progress));
            var table = new Table().AddColumns("", "");
            table.AddRow("steps", result.Steps.ToString());
            table.AddRow("training accuracy per epoch", string.Join(", ", result.EpochAccuracy.Select(a => $"{100 * a:F1}%")));
            table.AddRow("model", Markup.Escape(result.ModelFile));
            table.AddRow("head", Markup.Escape(result.HeadFile));
            if (result.SkippedImages > 0) table.AddRow("skipped images", result.SkippedImages.ToString());
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }
}
