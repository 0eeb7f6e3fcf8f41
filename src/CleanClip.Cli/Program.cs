using System.CommandLine;
using CleanClip.Cli.Commands;
using CleanClip.Models;

// Before any TorchSharp call: process-wide LibTorch, OpenMP and allocator settings (see TorchRuntime).
TorchRuntime.Initialize();

var root = new RootCommand("CleanClip: attack, measure and clean backdoors in CLIP image-text models.")
{
    ModelsCommand.Create(),
    EmbedCommand.Create(),
    ZeroShotCommand.Create(),
    SynthCommand.Create(),
    CaptionTableCommand.Create(),
    VocabCommand.Create(),
    TriggersCommand.Create(),
    TriggerCommand.Create(),
    PoisonCommand.Create(),
    TrainingCommand.Train(),
    TrainingCommand.Clean(),
    SupervisedCommand.Create(),
    DemoCommand.Create(),
    EvalCommand.Create(),
    ReportCommand.Create(),
    ScanCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
