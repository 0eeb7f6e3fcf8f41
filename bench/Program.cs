using CleanClip.Bench;

// Benchmarks, one subcommand each (dotnet run -c Release --project bench -- <subcommand> ...):
//   all      [--models tiny-rn,RN50,ViT-B/32] [--json out.json]      every headline number below in one table + JSON
//   compare  [--models RN50,ViT-B/32] [--json out.json]              the same beside bench/pytorch/clip_bench.py, with ratios
//   encode   [model=tiny-rn] [batch=16] [repeats=5] [threads=0]   forward-pass throughput of a model config
//   pipeline [--images 256] [--threads 1,2] [--json out.json] ...  decode + preprocess throughput, files vs cache
//   augment  [--resolution 224] [--images 400] [--repeats 5]      image augmentations (autoaugment, simclr), one thread
//   step     [models] [--batch 16] [--isolate] [--json out.json]   pairs/s and peak memory of a CleanCLIP training step
//   pairs    [--images 256] [--threads 1,2] [--json out.json] ...   training pairs/s: JPEG files, JPEG shards or cache + AutoAugment + EDA + tokens
//   memory   [--steps 1000] [--json out.json]                     resident memory over a long tiny training run (leak check)
//   scan     [--rows 20480] [--dims 128,512,1024] [--k 16] [--reference-batch 1024] ...  scan scoring pairs/s on precomputed embeddings
//   eval     [--models tiny-rn,RN50,ViT-B/32] [--batch 32] [--threads 2] [--json out.json] ...  zero-shot images/s, classifier captions/s
// Arguments without a subcommand run `encode`.
CleanClip.Models.TorchRuntime.Initialize();
try
{
    return args.FirstOrDefault() switch
    {
        "encode" => EncodeBench.Run(args[1..]),
        "pipeline" => PipelineBench.Run(args[1..]),
        "augment" => AugmentBench.Run(args[1..]),
        "step" => StepBench.Run(args[1..]),
        "eval" => EvalBench.Run(args[1..]),
        "scan" => ScanBench.Run(args[1..]),
        "pairs" => PairsBench.Run(args[1..]),
        "memory" => MemoryBench.Run(args[1..]),
        "all" => AllBench.Run(args[1..]),
        "compare" => CompareBench.Run(args[1..]),
        "-h" or "--help" or "help" => Usage(),
        _ => EncodeBench.Run(args),
    };
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

static int Usage()
{
    Console.WriteLine("usage: bench encode [model] [batch] [repeats] [threads]");
    Console.WriteLine("       bench pipeline " + PipelineBench.Usage);
    Console.WriteLine("       bench augment " + AugmentBench.Usage);
    Console.WriteLine("       bench step " + StepBench.Usage);
    Console.WriteLine("       bench eval " + EvalBench.Usage);
    Console.WriteLine("       bench scan " + ScanBench.Usage);
    return 0;
}
