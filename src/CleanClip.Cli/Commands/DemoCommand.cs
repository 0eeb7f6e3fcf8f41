using System.CommandLine;

namespace CleanClip.Cli.Commands;

/// <summary>
/// <c>cleanclip demo</c>: the embedded poison-and-clean story. Its stages (synthetic data, poisoning, training,
/// cleaning, evaluation) are built by later issues; until then it says so and succeeds, so the README's first
/// command works on a clean clone.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => "runs/demo" };
        var quick = new Option<bool>("--quick") { Description = "The two-minute version." };
        var command = new Command("demo", "Run the whole CleanCLIP story on synthetic data (poison, train, clean, evaluate).") { output, quick };
        command.SetAction(_ =>
        {
            Console.WriteLine("cleanclip demo: the poison-and-clean demo arrives with the data, training and evaluation issues.");
            Console.WriteLine("Available now: `cleanclip models`, `cleanclip embed`, `cleanclip zeroshot` (see --help).");
            return 0;
        });
        return command;
    }
}
