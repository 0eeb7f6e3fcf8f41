namespace CleanClip;

/// <summary>
/// The spelling of the command-line options that the library writes into command lines of its own (the ones
/// <see cref="Demo.DemoJob"/> prints to reproduce each stage by hand). The CLI declares each of these options under
/// this name, so a printed command and the option it names cannot drift apart.
/// </summary>
public static class OptionNames
{
    public const string BatchSize = "--batch-size";
    public const string Beta2 = "--beta2";
    public const string Checkpoint = "--checkpoint";
    public const string Classes = "--classes";
    public const string Data = "--data";
    public const string Epochs = "--epochs";
    public const string EvalData = "--eval-data";
    public const string FilterOut = "--filter-out";
    public const string Finetune = "--finetune";
    public const string HeadInit = "--head-init";
    public const string Init = "--init";
    public const string InmodalWeight = "--inmodal-weight";
    public const string Input = "--input";
    public const string KindCentred = "--kind-centred";
    public const string Labels = "--labels";
    public const string Lr = "--lr";
    public const string Manifest = "--manifest";
    public const string Method = "--method";
    public const string Metrics = "--metrics";
    public const string Mode = "--mode";
    public const string N = "--n";
    public const string Name = "--name";
    public const string NoWordnet = "--no-wordnet";
    public const string NumPoison = "--num-poison";
    public const string Out = "--out";
    public const string Overwrite = "--overwrite";
    public const string PatchSize = "--patch-size";
    public const string Precision = "--precision";
    public const string ProbeSeed = "--probe-seed";
    public const string ProbeTrainData = "--probe-train-data";
    public const string Range = "--range";
    public const string RemoveTop = "--remove-top";
    public const string Resolution = "--resolution";
    public const string Seed = "--seed";
    public const string Size = "--size";
    public const string Split = "--split";
    public const string Target = "--target";
    public const string Test = "--test";
    public const string TrainData = "--train-data";
    public const string Trigger = "--trigger";
    public const string TriggerSeed = "--trigger-seed";
    public const string Vocab = "--vocab";
    public const string Warmup = "--warmup";
    public const string WeightDecay = "--weight-decay";
}
