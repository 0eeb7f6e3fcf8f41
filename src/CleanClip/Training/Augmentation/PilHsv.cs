namespace CleanClip.Training.Augmentation;

/// <summary>
/// PIL's 8-bit RGB↔HSV conversion (libImaging/Convert.c <c>rgb2hsv_row</c> / <c>hsv2rgb</c>, after Python's colorsys),
/// with its mix of float32 variables and double literals: H and S are truncated to bytes, the way back rounds half
/// away from zero. Used only for hue jitter.
/// </summary>
internal static class PilHsv
{
    public static (byte H, byte S, byte V) FromRgb(byte r, byte g, byte b)
    {
        byte max = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b));
        if (max == min) return (0, 0, max);
        float range = max - min;
        float s = range / max;
        float rc = (max - r) / range, gc = (max - g) / range, bc = (max - b) / range;
        float h = r == max ? bc - gc : g == max ? (float)(2.0 + rc - bc) : (float)(4.0 + gc - rc);
        h = (float)((h / 6.0 + 1.0) % 1.0); // C fmod: the numerator is positive
        return ((byte)Math.Clamp((int)(h * 255.0), 0, 255), (byte)Math.Clamp((int)(s * 255.0), 0, 255), max);
    }

    public static (byte R, byte G, byte B) ToRgb(byte h, byte s, byte v)
    {
        if (s == 0) return (v, v, v);
        int i = (int)Math.Floor((float)h * 6.0 / 255.0);
        float f = (float)((float)h * 6.0 / 255.0 - i);
        float fs = (float)(s / 255.0);
        byte p = Round(v * (1.0 - fs)), q = Round(v * (1.0 - fs * f)), t = Round(v * (1.0 - fs * (1.0 - f)));
        return (i % 6) switch
        {
            0 => (v, t, p),
            1 => (q, v, p),
            2 => (p, v, t),
            3 => (p, q, v),
            4 => (t, p, v),
            _ => (v, p, q),
        };
    }

    private static byte Round(double value) => (byte)Math.Clamp((int)Math.Round(value, MidpointRounding.AwayFromZero), 0, 255);
}
