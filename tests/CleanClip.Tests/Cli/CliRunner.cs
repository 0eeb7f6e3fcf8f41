using System.CommandLine;
using Spectre.Console;

namespace CleanClip.Tests.Cli;

/// <summary>
/// Runs a command in-process and captures what it prints, stderr included (where System.CommandLine reports an
/// unhandled exception), as plain text wide enough that no table row wraps.
/// </summary>
internal static class CliRunner
{
    public static (int Exit, string Output) Run(Command command, params string[] args)
    {
        var (original, originalError) = (Console.Out, Console.Error);
        using var writer = new StringWriter();
        Console.SetOut(writer);
        Console.SetError(writer);
        try
        {
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No });
            AnsiConsole.Console.Profile.Width = 200;
            int exit = command.Parse(args).Invoke();
            return (exit, writer.ToString());
        }
        finally
        {
            Console.SetOut(original);
            Console.SetError(originalError);
            // Spectre keeps the writer it was given; point it back at the real console for the tests that follow.
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(original) });
        }
    }
}
