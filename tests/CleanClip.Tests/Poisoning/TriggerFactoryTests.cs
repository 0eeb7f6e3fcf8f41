using System.Text.Json;
using CleanClip.Poisoning;
using Xunit;

namespace CleanClip.Tests.Poisoning;

public class TriggerFactoryTests
{
    [Fact]
    public void EveryNameBuildsItsTrigger()
    {
        foreach (var name in TriggerFactory.Names)
            Assert.Equal(name, TriggerFactory.Create(new TriggerOptions { Name = name }).Name);
        Assert.Equal(11, TriggerFactory.Names.Count);
    }

    [Theory]
    [InlineData("random", "badnet")]
    [InlineData("warped", "wanet")]
    [InlineData("SIG", "sig")]
    [InlineData(" Blended-Fixed ", "blended-fixed")]
    public void ReferencePatchTypesAndOtherSpellingsAreAccepted(string given, string name) =>
        Assert.Equal(name, TriggerFactory.Create(new TriggerOptions { Name = given }).Name);

    [Fact]
    public void UnknownNameListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => TriggerFactory.Create(new TriggerOptions { Name = "badnets" }));
        Assert.Contains("'badnets'", e.Message);
        foreach (var name in TriggerFactory.Names) Assert.Contains(name, e.Message);
    }

    [Fact]
    public void OptionsReachTheTriggers()
    {
        var options = new TriggerOptions { PatchSize = 8, Location = PatchLocation.FourCorners, NoiseOverflow = NoiseOverflow.Wrap, Seed = 9 };
        Assert.Equal(new BadNetParameters(8, PatchLocation.FourCorners, NoiseOverflow.Wrap, true, 9),
            TriggerFactory.Create(options with { Name = "badnet-fixed" }).Parameters);
        Assert.Equal(new BlendedParameters(0.2, false, null), TriggerFactory.Create(options with { Name = "blended" }).Parameters);
        var wanet = (WaNetParameters)TriggerFactory.Create(options with { Name = "wanet", WanetGridSize = 4, WanetFieldSize = 32 }).Parameters;
        Assert.Equal(("generated", 32, (int?)4, (ulong?)9), (wanet.FieldSource, wanet.FieldSize, wanet.GridSize, wanet.PatternSeed));
    }

    [Fact]
    public void MissingWanetFieldIsAnErrorNotANewField()
    {
        using var dir = new TempDir();
        Assert.Throws<FileNotFoundException>(() =>
            TriggerFactory.Create(new TriggerOptions { Name = "wanet", WanetField = dir.File("none.f32") }));
    }

    [Fact]
    public void ParametersRoundTripThroughJsonWithKindAndKebabCaseEnums()
    {
        var all = TriggerFactory.CreateAll(new TriggerOptions { Location = PatchLocation.FourCorners, WanetGridSize = 8, WanetFieldSize = 16 });
        foreach (var trigger in all)
        {
            var json = JsonSerializer.Serialize(trigger.Parameters);
            Assert.Contains("\"kind\":", json);
            Assert.Equal(trigger.Parameters, JsonSerializer.Deserialize<TriggerParameters>(json));
        }
        var badnet = JsonSerializer.Serialize<TriggerParameters>(all[0].Parameters);
        Assert.Contains("\"Location\":\"four-corners\"", badnet);
        Assert.Contains("\"NoiseOverflow\":\"clamp\"", badnet);
    }

    [Fact]
    public void EnumsParseAsTheCliSpellsThem()
    {
        Assert.Equal(PatchLocation.FourCorners, KebabCaseEnumConverter<PatchLocation>.Parse("four-corners"));
        Assert.Equal(ResizeMode.Squash, KebabCaseEnumConverter<ResizeMode>.Parse("Squash"));
        var e = Assert.Throws<ArgumentException>(() => KebabCaseEnumConverter<NoiseOverflow>.Parse("saturate"));
        Assert.Contains("clamp, wrap", e.Message);
    }

    [Theory]
    [InlineData(32, 4)]
    [InlineData(224, 16)]
    [InlineData(57, 9)]
    public void EveryTriggerWorksOnAnySizeAndIsDeterministic(int size, int patch)
    {
        var image = TriggerImages.Gradient(size, size + 3);
        foreach (var trigger in TriggerFactory.CreateAll(new TriggerOptions { PatchSize = patch, WanetGridSize = 8, WanetFieldSize = 32 }))
        {
            var a = trigger.Apply(image, 77);
            Assert.Equal((size, size + 3), (a.Width, a.Height));
            Assert.Equal(a.Pixels.ToArray(), trigger.Apply(image, 77).Pixels.ToArray());
            Assert.True(TriggerImages.Diff(image, a).Count > 0, $"{trigger.Name} changed nothing at {size}px");
        }
    }
}
