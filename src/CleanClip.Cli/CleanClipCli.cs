using System.CommandLine;
using CleanClip.Cli.Commands;

namespace CleanClip.Cli;

/// <summary>
/// The whole command tree. Program.cs runs it; <c>sweep</c> builds a fresh one to parse each point's command line with
/// the real command definitions before anything runs.
/// </summary>
public static class CleanClipCli
{
    public static RootCommand Create() => new("CleanClip: attack, measure and clean backdoors in CLIP image-text models.")
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
        MatrixCommand.Create(),
        EvalCommand.Create(),
        ReportCommand.Create(),
        FrontierCommand.Create(),
        ScanCommand.Create(),
        SweepCommand.Create(),
    };
}
