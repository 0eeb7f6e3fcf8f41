using System.Collections.Concurrent;
using CleanClip.Data;

namespace CleanClip.Poisoning;

/// <summary>
/// SIG (Barni et al. 2019) as the reference makes it (<c>patch_type=SIG</c>, docs/reference-behaviour.md §2.2): the
/// horizontal sinusoid <c>t[c, i, j] = (60/255)·sin(2π·j·6/W)</c>, the same for every row and channel, blended
/// <c>clip(0.8·image + 0.2·t)</c>. W is the image width (224 in the reference), so the image always holds 6 periods.
/// No random draws.
/// </summary>
public sealed class SigTrigger : ITrigger
{
    private readonly ConcurrentDictionary<(int W, int H), float[]> _patterns = new();

    public double Alpha { get; }
    public double Amplitude { get; }
    public double Periods { get; }
    public string Name => "sig";
    public TriggerParameters Parameters => new SigParameters(Alpha, Amplitude, Periods);

    public SigTrigger(double alpha, double amplitude, double periods)
    {
        Blend.Weights(alpha);
        if (!double.IsFinite(amplitude) || !double.IsFinite(periods))
            throw new ArgumentOutOfRangeException(nameof(amplitude), $"SIG amplitude and periods must be finite, got {amplitude} and {periods}");
        (Alpha, Amplitude, Periods) = (alpha, amplitude, periods);
    }

    public RgbImage Apply(RgbImage image, ulong imageSeed) =>
        Blend.Apply(image, _patterns.GetOrAdd((image.Width, image.Height), size => Pattern(size.W, size.H)), Alpha);

    /// <summary>One H,W plane of the signal: computed in double and stored as float32, as the reference fills a float tensor from numpy.</summary>
    public float[] Pattern(int width, int height)
    {
        var row = new float[width];
        for (int j = 0; j < width; j++)
            row[j] = (float)(Amplitude * Math.Sin(2 * Math.PI * j * Periods / width));
        var plane = new float[width * height];
        for (int i = 0; i < height; i++) row.CopyTo(plane, i * width);
        return plane;
    }
}
