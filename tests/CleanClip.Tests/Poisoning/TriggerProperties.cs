using CleanClip.Data;
using CleanClip.Poisoning;
using CsCheck;
using Xunit;

namespace CleanClip.Tests.Poisoning;

/// <summary>CsCheck properties of every trigger over random image sizes, contents and seeds.</summary>
public class TriggerProperties
{
    private const int Patch = 4;
    private static readonly IReadOnlyList<ITrigger> Triggers = TriggerFactory.CreateAll(new TriggerOptions { PatchSize = Patch, Seed = 11 });

    private static readonly Gen<(RgbImage Image, ulong Seed, int Trigger)> Cases =
        Gen.Select(Gen.Int[8, 40], Gen.Int[8, 40], Gen.ULong, Gen.ULong, Gen.Int[0, Triggers.Count - 1])
            .Select((w, h, contentSeed, seed, trigger) => (Image(w, h, contentSeed), seed, trigger));

    private static RgbImage Image(int width, int height, ulong seed)
    {
        var random = new SplitMix64(seed);
        var pixels = new byte[3 * width * height];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)random.NextInt(256);
        return new RgbImage(width, height, pixels);
    }

    [Fact]
    public void Every_trigger_keeps_the_size_leaves_its_input_alone_and_repeats_itself_for_a_seed()
    {
        Cases.Sample(c =>
        {
            var trigger = Triggers[c.Trigger];
            var before = c.Image.Pixels.ToArray();
            var once = trigger.Apply(c.Image, c.Seed);
            var again = trigger.Apply(c.Image, c.Seed);
            Assert.Equal((c.Image.Width, c.Image.Height), (once.Width, once.Height));
            Assert.True(before.AsSpan().SequenceEqual(c.Image.Pixels), $"{trigger.Name} changed its input");
            Assert.True(once.Pixels.SequenceEqual(again.Pixels), $"{trigger.Name} gave two images for one seed");
        }, iter: 400, threads: 1);
    }

    [Fact]
    public void Patch_triggers_change_nothing_outside_one_patch_sized_square()
    {
        string[] patches = ["badnet", "badnet-fixed", "yellow", "badnet-stripes"];
        Cases.Where(c => patches.Contains(Triggers[c.Trigger].Name)).Sample(c =>
        {
            var output = Triggers[c.Trigger].Apply(c.Image, c.Seed);
            int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
            for (int y = 0; y < c.Image.Height; y++)
                for (int x = 0; x < c.Image.Width; x++)
                    for (int ch = 0; ch < 3; ch++)
                        if (output.Pixels[(y * c.Image.Width + x) * 3 + ch] != c.Image.Pixels[(y * c.Image.Width + x) * 3 + ch])
                            (minX, minY, maxX, maxY) = (Math.Min(minX, x), Math.Min(minY, y), Math.Max(maxX, x), Math.Max(maxY, y));
            Assert.True(maxX < 0 || (maxX - minX < Patch && maxY - minY < Patch),
                $"{Triggers[c.Trigger].Name} changed pixels over [{minX}..{maxX}]x[{minY}..{maxY}], more than a {Patch}x{Patch} patch");
        }, iter: 200, threads: 1);
    }
}
