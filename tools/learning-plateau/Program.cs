using System.Diagnostics;
using CleanClip.Data;
using CleanClip.Data.Synthetic;
using CleanClip.Evaluation;
using CleanClip.Models;
using CleanClip.Text;
using CleanClip.Training;
using TorchSharp;

int pairs = int.Parse(args[0]); double clutter = double.Parse(args[1]), kc = double.Parse(args[2]), lr = double.Parse(args[3]);
int epochs = int.Parse(args[4]), warmup = int.Parse(args[5]); string modelName = args.Length > 6 ? args[6] : "demo-rn";
int kinds = args.Length > 7 ? int.Parse(args[7]) : 10; int batch = args.Length > 8 ? int.Parse(args[8]) : 64;
var dir = Path.Combine(Path.GetTempPath(), "zsl-" + Guid.NewGuid().ToString("N")[..8]);
var world = SyntheticWorld.Generate(new SyntheticWorldOptions
{
    Count = pairs, FinetuneCount = 10, TestCount = 300, ImageSize = 32, Seed = long.Parse(Environment.GetEnvironmentVariable("SEED") ?? "1"), KindCentredProbability = kc, ClutterProbability = clutter, Sizes = Environment.GetEnvironmentVariable("LARGE") == "1" ? [SizeClass.Large] : [SizeClass.Small, SizeClass.Medium, SizeClass.Large], NoiseSigma = double.Parse(Environment.GetEnvironmentVariable("NOISE") ?? "6"),
    Kinds = ShapeCatalog.DefaultKinds.Take(kinds).ToList(),
}, Path.Combine(dir, "w"));
if (Environment.GetEnvironmentVariable("SOLID") == "1")
{
    var rnd = new Random(1);
    var cols = new (byte, byte, byte)[] { (255,0,0),(0,255,0),(0,0,255),(255,255,0),(0,255,255),(255,0,255),(128,128,128),(255,128,0),(0,0,0),(255,255,255) };
    void Write(string folder, int i, int k) { var px = new byte[32*32*3]; for (int j = 0; j < px.Length; j += 3) { px[j] = (byte)Math.Clamp(cols[k].Item1 + rnd.Next(-20, 21), 0, 255); px[j+1] = (byte)Math.Clamp(cols[k].Item2 + rnd.Next(-20, 21), 0, 255); px[j+2] = (byte)Math.Clamp(cols[k].Item3 + rnd.Next(-20, 21), 0, 255);} File.WriteAllBytes(Path.Combine(folder, $"images/{i:D5}.png"), PngWriter.Encode(new RgbImage(32, 32, px))); }
    var trainRows = File.ReadAllLines(Path.Combine(world.Folder, "train", "train.csv")).Skip(1).Select(l => l.Split(',')[0]).ToList();
    var lines = new List<string> { "image,caption" };
    var orig = File.ReadAllLines(Path.Combine(world.Folder, "train", "train.csv")).Skip(1).Select(l => l.Split(',', 2)[1]).ToList();
    foreach (var (path, i) in trainRows.Select((p, i) => (p, i))) { int k = Environment.GetEnvironmentVariable("REALCAP") == "1" ? ShapeCatalog.DefaultKinds.Select((n, j) => (n, j)).First(t => orig[i].Contains(t.n)).j : rnd.Next(kinds); Write(Path.Combine(world.Folder, "train"), i, k); lines.Add(Environment.GetEnvironmentVariable("REALCAP") == "1" ? $"images/{i:D5}.png,{orig[i]}" : $"images/{i:D5}.png,a photo of a {ShapeCatalog.DefaultKinds[k]}."); }
    File.WriteAllLines(Path.Combine(world.Folder, "train", "train.csv"), lines);
    var labels = File.ReadAllLines(Path.Combine(world.Folder, "test", "labels.csv")).Skip(1).Select(l => l.Split(',')).ToList();
    foreach (var l in labels) Write(Path.Combine(world.Folder, "test"), int.Parse(l[0][7..12]), int.Parse(l[1]));
}
var train = ImageCaptionDataset.Load(Path.Combine(world.Folder, "train", "train.csv"));
var vocab = Path.Combine(dir, "vocab.txt.gz");
var config = modelName switch
{
    "rn64" => ModelRegistry.Get("demo-rn") with { ImageResolution = 64 },
    "vit4" => ModelRegistry.Get("tiny-vit") with { VisionPatchSize = 4, EmbedDim = 128 },
    "vit4w" => ModelRegistry.Get("tiny-vit") with { VisionPatchSize = 4, EmbedDim = 128, VisionWidth = 128, VisionLayers = [4] },
    _ => ModelRegistry.Get(modelName),
};
var classes = ClassesFile.Read(Path.Combine(world.Folder, "test", "classes.json"));
BpeTrainer.TrainToFile(train.Rows.Select(r => r.Caption).Concat(Enumerable.Range(0, classes.Classes.Count).SelectMany(classes.Prompts)),
    vocab, numMerges: Math.Min(500, config.VocabSize - 514));
var tokenizer = ClipTokenizer.FromVocabFile(vocab);
torch.manual_seed(long.Parse(Environment.GetEnvironmentVariable("SEED") ?? "1"));
using var model = new ClipModel(config);
if (Environment.GetEnvironmentVariable("NOZ") == "1") using (torch.no_grad()) foreach (var (n, p) in model.named_parameters()) if (n.EndsWith("bn3.weight") && n.Contains("layer")) p.fill_(1);
var watch = Stopwatch.StartNew();
var run = new TrainingRun
{
    Model = model, Tokenizer = tokenizer, TrainData = train, RunDirectory = Path.Combine(dir, "run"), Init = modelName, Vocab = vocab,
    Options = new TrainingOptions { Epochs = epochs, BatchSize = batch, LearningRate = lr, WarmupSteps = warmup, Beta2 = 0.98, Seed = ulong.Parse(Environment.GetEnvironmentVariable("SEED") ?? "1"), TensorBoard = false, EvalEveryEpochs = 1 },
    Evaluate = m => { var e = EvalJob.EvaluateModel(m, tokenizer, new EvalOptions { Checkpoints = ["t"], EvalData = Path.Combine(world.Folder, "test"), Vocab = vocab, Metrics = [EvalMetric.Ca] }, "t"); Console.WriteLine($"  {watch.Elapsed.TotalSeconds:F0}s ca {e.CleanAccuracy!["1"]:P1}"); return new EpochEvaluation(e.CleanAccuracy!["1"], null); },
};
Trainer.Run(run);
Console.WriteLine($"{string.Join(" ", args)}: {watch.Elapsed.TotalSeconds:F0} s");
Directory.Delete(dir, true);
