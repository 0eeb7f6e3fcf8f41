using System.Runtime.InteropServices;
using CleanClip.Checkpoints;
using Spectre.Console;

namespace CleanClip.Cli;

/// <summary>Progress bars for library jobs, and one place that turns expected failures into a clear message and exit code 1.</summary>
public static class ConsoleUi
{
    public static T WithProgress<T>(Func<IProgress<JobProgress>, T> work) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                return work(new Reporter<JobProgress>(report =>
                {
                    if (!tasks.TryGetValue(report.Stage, out var task))
                        tasks[report.Stage] = task = context.AddTask(report.Stage, maxValue: Math.Max(1, report.Total));
                    task.MaxValue = Math.Max(1, report.Total);
                    task.Value = report.Done;
                }));
            });

    /// <summary>One bar over all steps of a training run, its description showing epoch, loss, learning rate and pairs/s.</summary>
    public static T WithTraining<T>(Func<IProgress<Training.TrainingProgress>, T> work) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask? task = null;
                return work(new Reporter<Training.TrainingProgress>(p =>
                {
                    task ??= context.AddTask("training", maxValue: Math.Max(1, p.TotalSteps));
                    task.Description = $"epoch {p.Epoch + 1}/{p.Epochs}  loss {p.Loss:F3}  lr {p.LearningRate:G3}  {p.PairsPerSecond:F0} pairs/s";
                    task.Value = p.Step;
                }));
            });

    /// <summary>
    /// Runs <paramref name="work"/> with a token that the first Ctrl-C (SIGINT) or SIGTERM cancels, so a training run can
    /// save a checkpoint and return: SIGTERM is what `kill`, a shutdown and SLURM at a job's time limit or preemption
    /// send before they kill. A second signal ends the process as usual.
    /// </summary>
    public static T Cancellable<T>(Func<CancellationToken, T> work)
    {
        using var cancel = new CancellationTokenSource();
        _stoppedBy = null;
        void Stop(PosixSignalContext context)
        {
            if (cancel.IsCancellationRequested) return;
            context.Cancel = true;
            _stoppedBy = context.Signal;
            cancel.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        return work(cancel.Token);
    }

    private static PosixSignal? _stoppedBy;

    /// <summary>The shell's code for a process stopped by SIGINT (128 + 2), so scripts can tell an interrupted run from a finished one.</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>The shell's code for a process stopped by SIGTERM (128 + 15).</summary>
    public const int TerminatedExitCode = 143;

    /// <summary>The exit code of a run a signal stopped: 143 after SIGTERM, else 130.</summary>
    public static int StoppedExitCode => _stoppedBy == PosixSignal.SIGTERM ? TerminatedExitCode : InterruptedExitCode;

    /// <summary>The exit code of a training command: 0 when it completed or stopped at --stop-after, 130 or 143 when SIGINT or SIGTERM stopped it.</summary>
    public static int ExitCode(Training.TrainingOutcome outcome) =>
        outcome == Training.TrainingOutcome.Interrupted ? StoppedExitCode : 0;

    /// <summary>The notes and the first rows every training command reports: outcome, resume point, steps, last loss.</summary>
    public static Table TrainingSummary(IReadOnlyList<string> notes, Training.TrainingOutcome outcome, string? resumedFrom, long steps, double? lastLoss)
    {
        foreach (var note in notes) AnsiConsole.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
        var table = new Table().AddColumns("", "");
        table.AddRow("outcome", outcome switch
        {
            Training.TrainingOutcome.Completed => "completed",
            Training.TrainingOutcome.Interrupted => "[yellow]interrupted[/] (continue with --resume)",
            _ => "stopped at --stop-after (continue with --resume)",
        });
        if (resumedFrom is { } from) table.AddRow("resumed from", Markup.Escape(from));
        table.AddRow("steps", steps.ToString());
        if (lastLoss is { } loss) table.AddRow("last loss", loss.ToString("F4"));
        return table;
    }

    /// <summary>A registry name instead of a file means untrained weights: say so, since the numbers will be noise.</summary>
    public static void NoteFreshWeights(string model)
    {
        if (!File.Exists(model))
            AnsiConsole.MarkupLine($"[yellow]note:[/] '{Markup.Escape(model)}' is not a file, so the model has fresh random weights (pass a checkpoint file for trained ones)");
    }

    /// <summary>Runs a command body; bad input (missing, malformed, existing or unwritable files, wrong options) exits 1 with its message, a Ctrl-C that ends the work early exits 130.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsBadInput(e))
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return 1;
        }
        // Bad input met inside parallel work (one image after another refusing the same trigger) is still one line.
        catch (AggregateException e) when (e.Flatten().InnerExceptions.All(IsBadInput))
        {
            AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(e.Flatten().InnerExceptions[0].Message)}");
            return 1;
        }
        catch (OperationCanceledException e)
        {
            AnsiConsole.MarkupLine($"[yellow]interrupted:[/] {Markup.Escape(e.Message)}");
            return StoppedExitCode;
        }
    }

    private static bool IsBadInput(Exception e) => e is ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException
        or CheckpointFormatException or InvalidOperationException;

    /// <summary>Synchronous, unlike <see cref="Progress{T}"/>, so bars never lag behind or arrive after the end.</summary>
    private sealed class Reporter<T>(Action<T> report) : IProgress<T>
    {
        private readonly object gate = new();
        public void Report(T value) { lock (gate) report(value); }
    }
}
