using CleanClip.Data.Synthetic;
using Xunit;

namespace CleanClip.Tests.Data.Synthetic;

public class WorldPlannerTests
{
    [Theory]
    [InlineData(37)]
    [InlineData(1000)]
    public void KindsAreBalancedInEverySplit(int count)
    {
        var options = new SyntheticWorldOptions { Count = count, FinetuneCount = count, TestCount = count };
        foreach (var split in Enum.GetValues<SyntheticSplit>())
        {
            var perKind = Enumerable.Range(0, options.Kinds.Count).Select(k => WorldPlanner.Plan(options, split).Count(s => s.Label == k)).ToList();
            Assert.True(perKind.Max() - perKind.Min() <= 1, $"{split}: {string.Join(",", perKind)}");
            Assert.Equal(count, perKind.Sum());
        }
    }

    [Fact]
    public void ASmallWorldIsAPrefixOfALargeOne()
    {
        var small = WorldPlanner.Plan(new SyntheticWorldOptions { Count = 25 }, SyntheticSplit.Train);
        var large = WorldPlanner.Plan(new SyntheticWorldOptions { Count = 400 }, SyntheticSplit.Train);
        for (int i = 0; i < small.Count; i++)
        {
            Assert.Equal(small[i].Image, large[i].Image);
            Assert.Equal(small[i].Caption, large[i].Caption);
            Assert.Equal(small[i].Scene.Object, large[i].Scene.Object);
            Assert.Equal(small[i].Scene.Background, large[i].Scene.Background);
            Assert.Equal(small[i].Scene.Clutter, large[i].Scene.Clutter);
        }
    }

    [Fact]
    public void KindsFollowTheOptionsOrder()
    {
        var options = new SyntheticWorldOptions { Kinds = ["banana", "circle", "star"], TestCount = 30 };
        var test = WorldPlanner.Plan(options, SyntheticSplit.Test);
        Assert.All(test, s => Assert.Equal(options.Kinds[s.Label], s.Scene.Object.Kind));
        Assert.Equal(10, test.Count(s => s.Scene.Object.Kind == "banana"));
    }

    [Fact]
    public void ClutterFollowsItsProbabilityAndNeverSharesTheObjectColour()
    {
        var plan = WorldPlanner.Plan(new SyntheticWorldOptions { Count = 2000 }, SyntheticSplit.Train);
        double cluttered = plan.Count(s => s.Scene.Clutter.Count > 0) / 2000.0;
        Assert.InRange(cluttered, 0.45, 0.55);
        Assert.All(plan, s => Assert.InRange(s.Scene.Clutter.Count, 0, 3));
        var none = WorldPlanner.Plan(new SyntheticWorldOptions { Count = 200, ClutterProbability = 0 }, SyntheticSplit.Train);
        Assert.All(none, s => Assert.Empty(s.Scene.Clutter));
    }

    [Fact]
    public void BananasAreMostlyYellowAndOtherKindsUseThePalette()
    {
        var plan = WorldPlanner.Plan(new SyntheticWorldOptions { Count = 3000 }, SyntheticSplit.Train);
        var bananas = plan.Where(s => s.Scene.Object.Kind == "banana").Select(s => s.Scene.Object.Colour.Name).ToList();
        Assert.Subset(new HashSet<string> { "yellow", "green", "brown" }, bananas.ToHashSet());
        Assert.InRange(bananas.Count(c => c == "yellow") / (double)bananas.Count, 0.5, 0.7);
        var others = plan.Where(s => s.Scene.Object.Kind != "banana").Select(s => s.Scene.Object.Colour.Name).ToHashSet();
        Assert.Equal(12, others.Count);
    }

    [Fact]
    public void EveryColourHasBackgroundsItContrastsWith()
    {
        foreach (var colour in Palette.Colours)
            Assert.True(Palette.Colours.Count(c => Palette.Contrasts(c, colour)) >= 6, colour.Name);
    }
}
