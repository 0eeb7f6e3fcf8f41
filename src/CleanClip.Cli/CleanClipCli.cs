using System.CommandLine;
using System.CommandLine.Help;
using CleanClip.Cli.Commands;

namespace CleanClip.Cli;

/// <summary>
/// The whole command tree. Program.cs runs it; <c>sweep</c> builds a fresh one to parse each point's command line with
/// the real command definitions before anything runs. The root is named <c>cleanclip</c>, as the executable is called:
/// System.CommandLine's RootCommand would take the assembly's name (CleanClip.Cli) for the usage lines.
/// </summary>
public static class CleanClipCli
{
    public const string Name = "cleanclip";

    public static Command Create() => new(Name, "CleanClip: attack, measure and clean backdoors in CLIP image-text models.")
    {
        new HelpOption(),
        new VersionOption(),
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
