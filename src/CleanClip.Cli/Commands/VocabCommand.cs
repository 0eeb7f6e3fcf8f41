using System.CommandLine;
using CleanClip.Text;
using Spectre.Console;

namespace CleanClip.Cli.Commands;

/// <summary><c>cleanclip vocab</c>: learns a byte-level BPE vocabulary of a given size from a caption table.</summary>
public static class VocabCommand
{
    public static Command Create()
    {
        var d = new VocabJobOptions { TrainData = "", Out = "" };
        var trainData = DataCliOptions.TrainData($"{DataCliOptions.Pairs} whose captions are learned from.", required: true);
        var size = CliOptions.Size($"Most tokens the vocabulary may hold, the model's vocabulary size ({VocabJob.BaseTokens} base tokens + merges).", d.Size);
        var classes = DataCliOptions.Classes("its zero-shot prompts are learned from too.");
        var minFrequency = new Option<int>("--min-frequency") { Description = "Stop merging when the best pair occurs fewer times.", DefaultValueFactory = _ => d.MinFrequency };
        var output = OutputCliOptions.Out("Vocabulary file to write (gzip for .gz), in the bpe_simple_vocab_16e6.txt.gz format; must not exist.", required: true);
        var command = new Command("vocab", "Learn a BPE vocabulary of a given size from the captions of a table (the trainer the demo uses).")
        {
            trainData, size, classes, minFrequency, output,
        };
        command.SetAction(parse => ConsoleUi.Run(() =>
        {
            var result = VocabJob.Run(d with
            {
                TrainData = parse.GetValue(trainData)!, Size = parse.GetValue(size), Classes = parse.GetValue(classes),
                MinFrequency = parse.GetValue(minFrequency), Out = parse.GetValue(output)!,
            });
            AnsiConsole.MarkupLine($"{result.Merges} merges from {result.Captions} captions: {result.VocabSize} tokens → {Markup.Escape(result.Path)}");
            return 0;
        }));
        return command;
    }
}
