using System.Globalization;
using Xunit;

namespace CleanClip.Tests;

/// <summary>The command lines the library prints: option names, invariant numbers, and shell quoting where a word needs it.</summary>
public class CommandLineTests
{
    [Fact]
    public void NumbersPrintInTheInvariantCultureWhateverTheCurrentOne()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var line = new CommandLine("clean").With(OptionNames.Lr, 1e-3).With(OptionNames.KindCentred, 0.8f).With(OptionNames.Seed, 7UL);
            Assert.Equal("cleanclip clean --lr 0.001 --kind-centred 0.8 --seed 7", line.ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void AWordWithSpacesOrQuotesIsQuotedForAPosixShell()
    {
        var line = new CommandLine("report", "runs/a b").With(OptionNames.Out, "it's").Flag(OptionNames.Overwrite).Flag(OptionNames.NoWordnet, false)
            .With(OptionNames.Vocab, null).WithIf(false, OptionNames.Mode, "x").WithEach(OptionNames.Checkpoint, ["m1", "m2"]);
        Assert.Equal("cleanclip report 'runs/a b' --out 'it'\\''s' --overwrite --checkpoint m1 --checkpoint m2", line.ToString());
        Assert.Equal(["report", "runs/a b", "--out", "it's", "--overwrite", "--checkpoint", "m1", "--checkpoint", "m2"], line.Arguments);
        Assert.Equal("''", CommandLine.Quote(""));
    }
}
