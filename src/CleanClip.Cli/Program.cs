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
    PoisonCommand.Create(),
    TrainingCommand.Train(),
    TrainingCommand.Clean(),
    SupervisedCommand.Create(),
    DemoCommand.Create(),
    EvalCommand.Create(),
    ReportCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
