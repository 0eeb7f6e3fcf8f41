using CleanClip.Data;

namespace CleanClip.Tests.Poisoning;

/// <summary>Test pictures and fixture access shared by the trigger tests.</summary>
internal static class TriggerImages
{
    /// <summary>tools/golden/triggers_golden.py's test_image: R and G gradients, an 8-pixel B checkerboard.</summary>
    public static RgbImage Gradient(int width, int height)
    {
        var p = new byte[3 * width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = 3 * (y * width + x);
                p[i] = (byte)(x * 255 / (width - 1));
                p[i + 1] = (byte)(y * 255 / (height - 1));
                p[i + 2] = (byte)((x / 8 + y / 8) % 2 == 0 ? 230 : 25);
            }
        return new RgbImage(width, height, p);
    }

    public static RgbImage Uniform(int width, int height, byte value) =>
        new(width, height, Enumerable.Repeat(value, 3 * width * height).ToArray());

    public static RgbImage Fixture(string name) => ImageDecoder.Decode(TestPaths.Fixture("triggers", name));

    public static string? ReferenceField => TestPaths.SharedFile("data", "wanet", "noise_grid_k224_s1_nhwc_1x224x224x2.f32");

    /// <summary>Largest absolute byte difference and how many bytes differ.</summary>
    public static (int Max, int Count) Diff(RgbImage a, RgbImage b)
    {
        if (a.Width != b.Width || a.Height != b.Height)
            throw new ArgumentException($"sizes differ: {a.Width}x{a.Height} vs {b.Width}x{b.Height}");
        int max = 0, count = 0;
        for (int i = 0; i < a.Pixels.Length; i++)
        {
            int d = Math.Abs(a.Pixels[i] - b.Pixels[i]);
            max = Math.Max(max, d);
            if (d != 0) count++;
        }
        return (max, count);
    }

    /// <summary>Whether every pixel outside the rectangles is the same in both images.</summary>
    public static bool SameOutside(RgbImage a, RgbImage b, int size, IEnumerable<(int Top, int Left)> rects)
    {
        var list = rects.ToList();
        for (int y = 0; y < a.Height; y++)
            for (int x = 0; x < a.Width; x++)
            {
                if (list.Any(r => y >= r.Top && y < r.Top + size && x >= r.Left && x < r.Left + size)) continue;
                if (a[x, y] != b[x, y]) return false;
            }
        return true;
    }

    /// <summary>The P×P block at (top, left) as HWC bytes.</summary>
    public static byte[] Block(RgbImage image, int top, int left, int size)
    {
        var block = new byte[3 * size * size];
        for (int y = 0; y < size; y++)
            image.Pixels.Slice(3 * ((top + y) * image.Width + left), 3 * size).CopyTo(block.AsSpan(3 * y * size));
        return block;
    }
}
