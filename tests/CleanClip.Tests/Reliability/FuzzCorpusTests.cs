using CleanClip.Fuzz;
using Xunit;

namespace CleanClip.Tests.Reliability;

/// <summary>
/// Every input the fuzzers were seeded with (fuzz/corpus) or found a crash with (fuzz/regressions), run through the
/// same targets: each must be parsed or refused with a clear error, never crash.
/// </summary>
public class FuzzCorpusTests
{
    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in new[] { "corpus", "regressions" })
            foreach (var target in FuzzTargets.Names)
            {
                var folder = Path.Combine(TestPaths.RepoRoot, "fuzz", kind, target);
                if (!Directory.Exists(folder)) continue;
                foreach (var file in Directory.GetFiles(folder).Order())
                    data.Add(target, Path.GetRelativePath(TestPaths.RepoRoot, file));
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Fuzz_inputs_are_parsed_or_refused_clearly(string target, string file)
    {
        using var scratch = new TempDir();
        FuzzTargets.Run(target, File.ReadAllBytes(Path.Combine(TestPaths.RepoRoot, file)), scratch.Path);
    }

    [Fact]
    public void Every_target_has_a_seed_corpus()
    {
        foreach (var target in FuzzTargets.Names)
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "fuzz", "corpus", target)));
    }
}
