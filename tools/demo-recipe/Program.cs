using System.Diagnostics;
using System.Text.Json;
using CleanClip;
using CleanClip.Data;
using CleanClip.Data.Synthetic;
using CleanClip.Models;
using CleanClip.Poisoning;
using CleanClip.Poisoning.Dataset;
using CleanClip.Text;
using CleanClip.Training.Augmentation;
using DemoRecipe;
using TorchSharp;
using static TorchSharp.torch;

// demo-recipe: world → poison → pretrain → evaluate → clean (MMCL-only / CleanCLIP / SSL-only) → evaluate,
// every knob a --key value argument; one JSON line per evaluation appended to --log.
var k = new Knobs(args);
torch.set_num_threads(k.Int("threads", 2));
var tag = k.Str("tag", "run");
var log = k.Str("log", "runs.jsonl");
var clock = Stopwatch.StartNew();
void Emit(object record)
{
    var line = JsonSerializer.Serialize(record);
    Console.WriteLine(line);
    File.AppendAllText(log, line + "\n");
}

// World.
int size = k.Int("size", 32);
var worldOptions = new SyntheticWorldOptions
{
    Count = k.Int("count", 10_000), FinetuneCount = k.Int("finetune", 5_000), TestCount = k.Int("test", 1_000),
    ImageSize = size, Seed = k.Int("world-seed", 1), ClutterProbability = k.Dbl("clutter", 0.5),
    NoiseSigma = k.Dbl("noise", 6), KindCentredProbability = k.Dbl("kind-p", 0.4),
};
var (train, finetune, test) = World.Build(worldOptions);
Console.WriteLine($"world {train.Count}/{finetune.Count}/{test.Count} at {size}px in {clock.Elapsed.TotalSeconds:F1}s");

// Poison.
int numPoison = (int)Math.Round(k.Dbl("rate", 0.03) * train.Count);
var templates = k.Str("poison-templates", "a photo of a {}.").Split('|');
var trigger = TriggerFactory.Create(new TriggerOptions { Name = k.Str("trigger", "badnet"), PatchSize = k.Int("patch", 5), Seed = 7 });
var plan = PoisonPlan.Create(train.Captions, new PoisonOptions { NumPoison = numPoison, Templates = templates, Seed = (ulong)k.Int("poison-seed", 1) });
var poisonedImages = new byte[plan.Count][];
var poisonedCaptions = new string[plan.Count];
var poisonRows = new List<int>();
for (int i = 0; i < plan.Count; i++)
{
    var row = plan[i];
    poisonedCaptions[i] = row.Caption;
    poisonedImages[i] = row.Poisoned
        ? World.ToChw(trigger.Apply(World.FromChw(train.Images[row.Source], size), SplitMix64.Derive(99, (ulong)row.Source)))
        : train.Images[row.Source];
    if (row.Poisoned) poisonRows.Add(i);
}
var poisoned = train with { Images = poisonedImages, Captions = poisonedCaptions };

// Tokenizer from the (poisoned) training captions, as the demo does.
int context = k.Int("context", 32);
var merges = BpeTrainer.LearnMerges(poisonedCaptions, k.Int("merges", 500));
var tokenizer = ClipTokenizer.FromMerges(merges, new TokenizerOptions { ContextLength = context });

// Test tensors.
var classes = new ClassesFile(worldOptions.Kinds.ToList(), CaptionWriter.ClassTemplates.ToList());
int target = classes.IndexOf("banana");
Tensor Stack(IEnumerable<byte[]> images)
{
    var list = images.ToList();
    var bytes = new byte[list.Count * 3 * size * size];
    for (int i = 0; i < list.Count; i++) list[i].CopyTo(bytes, i * 3 * size * size);
    return tensor(bytes, new long[] { list.Count, 3, size, size });
}
var cleanPixels = Stack(test.Images);
var triggeredPixels = Stack(Enumerable.Range(0, test.Count).Where(i => test.Labels[i] != target)
    .Select(i => World.ToChw(trigger.Apply(World.FromChw(test.Images[i], size), SplitMix64.Derive(12345, (ulong)i)))));
var fitPixels = Stack(poisonRows.Where(i => train.Labels[plan[i].Source] != target).Select(i => poisonedImages[i]));
var preprocessor = new ClipPreprocessor(new PreprocessOptions { Resolution = size });
var evaluator = new Evaluator(classes, target, cleanPixels, test.Labels.Select(l => (long)l).ToArray(), triggeredPixels, fitPixels, preprocessor);

// Model.
var arch = k.Str("arch", "rn");
int embed = k.Int("embed", 128), textWidth = k.Int("text-width", 128);
var config = arch == "vit"
    ? new ClipConfig { Name = "exp-vit", EmbedDim = embed, ImageResolution = size, VisionLayers = [k.Int("vlayers", 4)], VisionWidth = k.Int("vwidth", 128), VisionPatchSize = k.Int("vpatch", 4), VisionHeads = k.Int("vheads", 4), TextWidth = textWidth }
    : new ClipConfig { Name = "exp-rn", EmbedDim = embed, ImageResolution = size, VisionLayers = k.Str("vlayers", "1,1,1,1").Split(',').Select(int.Parse).ToArray(), VisionWidth = k.Int("vwidth", 16), VisionHeads = k.Int("vheads", 8), TextWidth = textWidth };
var registryName = k.Str("model", "");
if (registryName != "")
{
    config = ModelRegistry.Get(registryName);
    if (config.ImageResolution != size) throw new ArgumentException($"{registryName} wants {config.ImageResolution} px, world is {size} px");
    if (config.VocabSize < tokenizer.VocabSize) throw new ArgumentException($"{registryName} has {config.VocabSize} tokens, tokenizer {tokenizer.VocabSize}");
    if (config.ContextLength != context) throw new ArgumentException($"{registryName} has context {config.ContextLength}; pass --context {config.ContextLength}");
}
else config = config with { TextLayers = k.Int("text-layers", 2), TextHeads = k.Int("text-heads", 4), ContextLength = context, VocabSize = tokenizer.VocabSize };
int seed = k.Int("seed", 1);
torch.manual_seed(seed);
var model = new ClipModel(config);
long visualParams = model.Visual.parameters().Sum(p => p.numel());
long allParams = model.parameters().Sum(p => p.numel());
Console.WriteLine($"model {config.ToJson()} visual {visualParams} total {allParams}");

if (k.Bool("bench", false))
{
    int bb = k.Int("batch", 64);
    var px = preprocessor.Normalize(Stack(train.Images.Take(bb)));
    var tk = tokenizer.TokenizeToTensor(train.Captions.Take(bb).ToList());
    model.train();
    foreach (var part in new[] { "visual", "text", "both" })
    {
        for (int rep = 0; rep < 2; rep++)
        {
            var sw = Stopwatch.StartNew();
            var c0 = Process.GetCurrentProcess().TotalProcessorTime;
            for (int i = 0; i < 10; i++)
            {
                using var sc = NewDisposeScope();
                Tensor loss = part switch { "visual" => model.EncodeImage(px).square().mean(), "text" => model.EncodeText(tk).square().mean(),
                    _ => model.EncodeImage(px).square().mean() + model.EncodeText(tk).square().mean() };
                model.zero_grad(); loss.backward();
            }
            if (rep == 1) Console.WriteLine($"bench {part}: {sw.Elapsed.TotalMilliseconds / 10:F0} ms/step wall, {(Process.GetCurrentProcess().TotalProcessorTime - c0).TotalMilliseconds / 10:F0} ms cpu");
        }
    }
    return;
}
var pre = new LoopOptions
{
    Epochs = k.Int("epochs", 10), BatchSize = k.Int("batch", 64), LearningRate = k.Dbl("lr", 2e-3),
    WarmupFraction = k.Dbl("warmup", 0.05), WeightDecay = k.Dbl("wd", 0.1), Beta2 = k.Dbl("b2", 0.98), Seed = (ulong)seed,
};
int evalEvery = k.Int("eval-every", 1);
string knobs = k.Describe();
Emit(new { tag, stage = "setup", knobs, visualParams, allParams, poison = numPoison, vocab = tokenizer.VocabSize, seconds = clock.Elapsed.TotalSeconds });
double preWall = 0, preCpu = 0;
Scores last = default;
var loadPath = k.Str("load", "");
if (loadPath != "")
{
    model.load(loadPath);
    model.eval();
    last = evaluator.Evaluate(model, tokenizer);
    Emit(new { tag, stage = "loaded", epoch = 0, ca = last.CleanAccuracy, asr = last.AttackSuccess, fit = last.PoisonFit, path = loadPath });
}
else Trainer.Run(model, tokenizer, poisoned, poisonedCaptions, pre, preprocessor, null, e =>
{
    preWall += e.WallSeconds; preCpu += e.CpuSeconds;
    Scores? s = e.Epoch % evalEvery == 0 || e.Epoch == pre.Epochs ? evaluator.Evaluate(model, tokenizer) : null;
    if (s is { } v) last = v;
    Emit(new { tag, stage = "pretrain", epoch = e.Epoch, steps = e.Steps, loss = Math.Round(e.Loss, 4), ca = s?.CleanAccuracy, asr = s?.AttackSuccess, fit = s?.PoisonFit,
        wall = Math.Round(preWall, 1), cpu = Math.Round(preCpu, 1), stepsPerSec = Math.Round(e.Steps / preWall, 2), logitScale = Math.Round(Math.Exp(model.LogitScale.item<float>()), 1), skipped = Trainer.SkippedSteps });
});
var savePath = k.Str("save", "");
if (savePath != "") model.save(savePath);
Console.WriteLine($"poisoned: {last}  ({preWall:F0}s wall, {preCpu:F0}s cpu)");

// Cleaning.
var modes = k.Str("clean", "mmcl,cleanclip").Split(',', StringSplitOptions.RemoveEmptyEntries);
if (modes.Length == 0 || modes[0] == "none") return;
var snapshot = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
int cleanCount = k.Int("clean-n", finetune.Count);
var cleanSet = finetune with { Images = finetune.Images[..cleanCount], Captions = finetune.Captions[..cleanCount], Labels = finetune.Labels[..cleanCount] };
var wordnet = WordNet.Find();
var eda = new Eda(wordnet is null ? null : WordNet.Load(wordnet));
var clean = new LoopOptions
{
    Epochs = k.Int("clean-epochs", 3), BatchSize = k.Int("clean-batch", 64), LearningRate = k.Dbl("clean-lr", 1e-3),
    WarmupFraction = k.Dbl("clean-warmup", 0.05), WeightDecay = k.Dbl("clean-wd", 0.1), Beta2 = k.Dbl("clean-b2", 0.98),
    Seed = (ulong)seed + 100, AugmentStrength = k.Dbl("aug", 0.4),
};
foreach (var mode in modes)
{
    using (no_grad()) model.load_state_dict(snapshot);
    var options = mode switch
    {
        "mmcl" => clean with { ClipWeight = 1, InModalWeight = 0 },
        "cleanclip" => clean with { ClipWeight = 1, InModalWeight = 1 },
        "ssl" => clean with { ClipWeight = 0, InModalWeight = 1 },
        _ => throw new ArgumentException($"unknown cleaning mode {mode}"),
    };
    double wall = 0, cpu = 0;
    Trainer.Run(model, tokenizer, cleanSet, cleanSet.Captions, options, preprocessor, eda, e =>
    {
        wall += e.WallSeconds; cpu += e.CpuSeconds;
        var s = evaluator.Evaluate(model, tokenizer);
        Emit(new { tag, stage = mode, epoch = e.Epoch, steps = e.Steps, loss = Math.Round(e.Loss, 4), ca = s.CleanAccuracy, asr = s.AttackSuccess, fit = s.PoisonFit,
            wall = Math.Round(wall, 1), cpu = Math.Round(cpu, 1), eda = eda.HasSynonyms, skipped = Trainer.SkippedSteps });
    });
}
