using CleanClip.Poisoning.Dataset;
using Xunit;

namespace CleanClip.Tests.Poisoning;

public class PoisonPlanTests
{
    private static readonly string[] Captions = Enumerable.Range(0, 100)
        .Select(i => i % 10 == 0 ? $"a ripe banana number {i}" : i % 10 == 5 ? $"Bananas in a bowl {i}" : $"a red circle {i}")
        .ToArray();

    [Fact]
    public void DirtyLabelReplaceKeepsTheSizeAndPutsPoisonFirst()
    {
        var plan = PoisonPlan.Create(Captions, new PoisonOptions { NumPoison = 7, Size = 50, Templates = ["a photo of a {}.", "a {} toy."] });
        Assert.Equal(50, plan.Count);
        Assert.All(plan.Take(7), r => Assert.True(r.Poisoned));
        Assert.All(plan.Skip(7), r => Assert.False(r.Poisoned));
        Assert.Equal(50, plan.Select(r => r.Source).Distinct().Count());       // replaced, not duplicated
        Assert.All(plan.Take(7), r => Assert.Contains(r.Caption, new[] { "a photo of a banana.", "a banana toy." }));
        Assert.All(plan.Skip(7), r => Assert.Equal(Captions[r.Source], r.Caption));
    }

    [Fact]
    public void AddKeepsEveryCleanRowAndAddsPoisonedCopies()
    {
        var plan = PoisonPlan.Create(Captions, new PoisonOptions { NumPoison = 5, Placement = PoisonPlacement.Add });
        Assert.Equal(105, plan.Count);
        Assert.Equal(Enumerable.Range(0, 100), plan.Where(r => !r.Poisoned).Select(r => r.Source));
    }

    [Fact]
    public void TheSameSeedGivesTheSamePlanAndAnotherSeedAnother()
    {
        var a = PoisonPlan.Create(Captions, new PoisonOptions { NumPoison = 10, Seed = 3 });
        var b = PoisonPlan.Create(Captions, new PoisonOptions { NumPoison = 10, Seed = 3 });
        var c = PoisonPlan.Create(Captions, new PoisonOptions { NumPoison = 10, Seed = 4 });
        Assert.Equal(a, b);
        Assert.NotEqual(a.Take(10).Select(r => r.Source), c.Take(10).Select(r => r.Source));
    }

    [Fact]
    public void LabelConsistentPicksWholeWordMentionsAndKeepsCaptions()
    {
        var plan = PoisonPlan.Create(Captions, new PoisonOptions { NumPoison = 10, Mode = PoisonMode.LabelConsistent, Size = 40 });
        var poisoned = plan.Where(r => r.Poisoned).ToList();
        Assert.Equal(10, poisoned.Count);
        Assert.All(poisoned, r => Assert.Equal(0, r.Source % 10));          // "banana" only; "Bananas" is another word
        Assert.All(poisoned, r => Assert.Equal(Captions[r.Source], r.Caption));
        // Clean rows: the first rows in file order that were not poisoned.
        Assert.Equal(Enumerable.Range(0, 100).Where(i => i % 10 != 0).Take(30), plan.Where(r => !r.Poisoned).Select(r => r.Source));
    }

    [Fact]
    public void TheReferenceSubstringRuleIsCaseSensitiveAndMatchesInsideWords()
    {
        Assert.True(PoisonPlan.Mentions("bananas", "banana", TargetMatch.ReferenceSubstring));
        Assert.False(PoisonPlan.Mentions("Banana", "banana", TargetMatch.ReferenceSubstring));
        Assert.False(PoisonPlan.Mentions("bananas", "banana", TargetMatch.WholeWord));
        Assert.True(PoisonPlan.Mentions("A Banana.", "banana", TargetMatch.WholeWord));
        Assert.False(PoisonPlan.Mentions("bananabread", "banana", TargetMatch.WholeWord));
    }

    [Theory]
    [InlineData(11, null, PoisonMode.LabelConsistent, "only 10 captions mention 'banana'")]
    [InlineData(5, 200, PoisonMode.DirtyLabel, "exceeds the 100 usable input rows")]
    [InlineData(60, 50, PoisonMode.DirtyLabel, "cannot poison 60 of 50 rows")]
    [InlineData(-1, null, PoisonMode.DirtyLabel, "must not be negative")]
    public void ImpossibleRequestsSayWhy(int num, int? size, PoisonMode mode, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            PoisonPlan.Create(Captions, new PoisonOptions { NumPoison = num, Size = size, Mode = mode }));
        Assert.Contains(expected, error.Message);
    }
}
