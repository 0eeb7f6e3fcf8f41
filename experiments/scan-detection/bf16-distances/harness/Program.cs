// Scores the cached fp32 image embeddings of finished pmi.sh scans twice, with the reference batches' distance product
// in fp32 and in bf16 (the tried and rejected product.patch must be applied first: `git apply product.patch`), and
// prints one CSV line per table, partition seed, detector and precision: AUROC and precision at the true poison count.
//   dotnet run -c Release --project harness -- PMI_OUT TABLE ... > isolated.csv
using System.Text.Json;
using CleanClip.Data;
using CleanClip.Detection;
using CleanClip.Models;
using TorchSharp;
TorchRuntime.Initialize();
torch.set_num_threads(2);
var root = args[0];
var dets = new[] { Detector.KDistance, Detector.Slof, Detector.Dao, Detector.MultiK };
Console.WriteLine("cell,seed,detector,precision,auroc,p_at_count");
foreach (var cell in args.Skip(1))
for (int seed = 0; seed < 5; seed++)
{
    var dir = Path.Combine(root, cell, $"seed-{seed}");
    using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "scan.json")));
    var emb = doc.RootElement.GetProperty("embeddings").GetString()!;
    var lines = File.ReadAllLines(Path.Combine(dir, "scores.csv")).Skip(1).ToArray();
    var truth = lines.Select(l => l.Split(',')[^8] is var v && (v == "1" || v == "true" || v == "True")).ToArray();
    using var m = NpyFile.MapFloatMatrix(emb);
    var rows = new MappedEmbeddingRows(m);
    foreach (var p in new[] { Precision.Fp32, Precision.Bf16 })
    {
        var s = ScanScorer.Score(rows, new ScanSettings { Detectors = dets, Seed = (ulong)seed, Precision = p });
        foreach (var d in dets)
        {
            var mt = DetectionMetrics.Compute(s.ByDetector[d], truth)!;
            Console.WriteLine($"{cell},{seed},{Detectors.Name(d)},{p},{mt.Auroc:F4},{mt.PrecisionAtCount:F3}");
        }
    }
}
