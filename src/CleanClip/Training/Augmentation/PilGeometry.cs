using System.Globalization;
using CleanClip.Data;

namespace CleanClip.Training.Augmentation;

/// <summary>
/// The geometric AutoAugment ops as torchvision runs them on a PIL image with NEAREST resampling and black fill.
/// Re-stated from reading torchvision (transforms/autoaugment.py <c>_apply_op</c>, functional.py <c>affine</c> and
/// <c>_get_inverse_affine_matrix</c>) and Pillow (Image.py <c>rotate</c>/<c>transform</c>, libImaging/Geometry.c
/// <c>ImagingTransformAffine</c>, <c>ImagingScaleAffine</c>, <c>affine_fixed</c>, transposes), not copied:
/// <list type="bullet">
/// <item>An affine transform maps each output pixel centre (x + ½, y + ½) through the inverse matrix
/// [a b c; d e f] to the source and takes the pixel it lands in; sources outside the image give black.</item>
/// <item>Pure scale/translate matrices (b = d = 0) use ImagingScaleAffine: coordinates accumulated in double,
/// floored. Others use 16.16 fixed point (FIX(v) = floor(v·65536 + ½), start = FIX(c + a/2 + b/2), arithmetic
/// shift) while every corner maps within ±32768, else the same walk in double.</item>
/// <item>Rotate: PIL <c>Image.rotate(angle)</c> about (w/2, h/2), angle mod 360; 0 copies, 180 and (square) 90/270
/// are exact transposes; otherwise the matrix entries are cos/sin of −angle rounded to 15 decimals.</item>
/// </list>
/// </summary>
public static class PilGeometry
{
    /// <summary>torchvision ShearX: <c>affine(shear=[degrees(atan(m)), 0], center=[0, 0])</c>; source x ≈ x + m·y.</summary>
    public static RgbImage ShearX(RgbImage image, double magnitude) =>
        Affine(image, InverseAffineMatrix(0, 0, 0, 0, 0, 1, Degrees(Math.Atan(magnitude)), 0));

    /// <summary>torchvision ShearY: <c>affine(shear=[0, degrees(atan(m))], center=[0, 0])</c>; source y ≈ y + m·x.</summary>
    public static RgbImage ShearY(RgbImage image, double magnitude) =>
        Affine(image, InverseAffineMatrix(0, 0, 0, 0, 0, 1, 0, Degrees(Math.Atan(magnitude))));

    /// <summary>torchvision TranslateX: <c>affine(translate=[int(m), 0])</c>; content moves right by int(m) pixels.</summary>
    public static RgbImage TranslateX(RgbImage image, double magnitude) =>
        Affine(image, InverseAffineMatrix(image.Width * 0.5, image.Height * 0.5, 0, (int)magnitude, 0, 1, 0, 0));

    /// <summary>torchvision TranslateY: <c>affine(translate=[0, int(m)])</c>; content moves down by int(m) pixels.</summary>
    public static RgbImage TranslateY(RgbImage image, double magnitude) =>
        Affine(image, InverseAffineMatrix(image.Width * 0.5, image.Height * 0.5, 0, 0, (int)magnitude, 1, 0, 0));

    /// <summary>PIL <c>Image.rotate(degrees)</c>, counter-clockwise, NEAREST, no expand, black outside.</summary>
    public static RgbImage Rotate(RgbImage image, double degrees)
    {
        double angle = PythonMod(degrees, 360.0);
        int w = image.Width, h = image.Height;
        if (angle == 0) return new RgbImage(w, h, image.Pixels);
        if (angle == 180) return Rotate180(image);
        if (angle == 90 && w == h) return Rotate90(image);
        if (angle == 270 && w == h) return Rotate270(image);
        double radians = -(angle * (Math.PI / 180.0));
        double cos = Round15(Math.Cos(radians)), sin = Round15(Math.Sin(radians)), minusSin = Round15(-Math.Sin(radians));
        double cx = w / 2.0, cy = h / 2.0;
        double c = cos * -cx + sin * -cy + 0.0, f = minusSin * -cx + cos * -cy + 0.0;
        return Affine(image, [cos, sin, c + cx, minusSin, cos, f + cy]);
    }

    /// <summary>PIL ROTATE_90 (counter-clockwise): out(x, y) = in(W−1−y, x); the size becomes H×W.</summary>
    public static RgbImage Rotate90(RgbImage image) => Permute(image, image.Height, image.Width, (x, y) => (image.Width - 1 - y, x));

    public static RgbImage Rotate180(RgbImage image) => Permute(image, image.Width, image.Height, (x, y) => (image.Width - 1 - x, image.Height - 1 - y));

    /// <summary>PIL ROTATE_270 (clockwise): out(x, y) = in(y, H−1−x).</summary>
    public static RgbImage Rotate270(RgbImage image) => Permute(image, image.Height, image.Width, (x, y) => (y, image.Height - 1 - x));

    /// <summary>PIL FLIP_LEFT_RIGHT (torchvision hflip).</summary>
    public static RgbImage FlipLeftRight(RgbImage image)
    {
        int w = image.Width, h = image.Height;
        var source = image.Pixels;
        var output = new byte[source.Length];
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int to = 3 * (y * w + x), from = 3 * (y * w + w - 1 - x);
            output[to] = source[from];
            output[to + 1] = source[from + 1];
            output[to + 2] = source[from + 2];
        }
        return new RgbImage(w, h, output);
    }

    /// <summary>
    /// torchvision <c>_get_inverse_affine_matrix(center, angle, translate, scale, shear)</c>, term by term in double:
    /// the inverse of C·T·R·S·C⁻¹ as PIL's AFFINE data [a, b, c, d, e, f] (output → input).
    /// </summary>
    public static double[] InverseAffineMatrix(double cx, double cy, double angle, double tx, double ty, double scale, double shearX, double shearY)
    {
        double rot = Radians(angle), sx = Radians(shearX), sy = Radians(shearY);
        double a = Math.Cos(rot - sy) / Math.Cos(sy);
        double b = -Math.Cos(rot - sy) * Math.Tan(sx) / Math.Cos(sy) - Math.Sin(rot);
        double c = Math.Sin(rot - sy) / Math.Cos(sy);
        double d = -Math.Sin(rot - sy) * Math.Tan(sx) / Math.Cos(sy) + Math.Cos(rot);
        double[] m = [d / scale, -b / scale, 0.0 / scale, -c / scale, a / scale, 0.0 / scale];
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
        m[2] += cx;
        m[5] += cy;
        return m;
    }

    /// <summary>PIL <c>Image.transform(size, AFFINE, a, NEAREST)</c> with black fill: ImagingTransformAffine.</summary>
    public static RgbImage Affine(RgbImage image, double[] a)
    {
        if (a.Length != 6) throw new ArgumentException($"an affine matrix has 6 entries, got {a.Length}", nameof(a));
        int w = image.Width, h = image.Height;
        var output = new byte[3 * w * h];
        if (a[1] == 0 && a[3] == 0) ScaleAffine(image.Pixels, output, w, h, a);
        else if (FitsFixedPoint(a, 0, 0) && FitsFixedPoint(a, w, h) && FitsFixedPoint(a, 0, h) && FitsFixedPoint(a, w, 0)) FixedAffine(image.Pixels, output, w, h, a);
        else FloatAffine(image.Pixels, output, w, h, a);
        return new RgbImage(w, h, output);
    }

    private static void ScaleAffine(ReadOnlySpan<byte> source, byte[] output, int w, int h, double[] a)
    {
        Span<int> columns = w <= 1024 ? stackalloc int[w] : new int[w];
        double xo = a[2] + a[0] * 0.5, yo = a[5] + a[4] * 0.5;
        for (int x = 0; x < w; x++)
        {
            int xin = Coord(xo);
            columns[x] = xin >= 0 && xin < w ? xin : -1;
            xo += a[0];
        }
        for (int y = 0; y < h; y++)
        {
            int yin = Coord(yo);
            yo += a[4];
            if (yin < 0 || yin >= h) continue;
            for (int x = 0; x < w; x++)
                if (columns[x] >= 0) CopyPixel(source, 3 * (yin * w + columns[x]), output, 3 * (y * w + x));
        }
    }

    private static void FixedAffine(ReadOnlySpan<byte> source, byte[] output, int w, int h, double[] a)
    {
        int a0 = Fix(a[0]), a1 = Fix(a[1]), a3 = Fix(a[3]), a4 = Fix(a[4]);
        int a2 = Fix(a[2] + a[0] * 0.5 + a[1] * 0.5), a5 = Fix(a[5] + a[3] * 0.5 + a[4] * 0.5);
        for (int y = 0; y < h; y++)
        {
            int xx = a2, yy = a5;
            for (int x = 0; x < w; x++)
            {
                int xin = xx >> 16, yin = yy >> 16;
                if (xin >= 0 && xin < w && yin >= 0 && yin < h) CopyPixel(source, 3 * (yin * w + xin), output, 3 * (y * w + x));
                xx += a0;
                yy += a3;
            }
            a2 += a1;
            a5 += a4;
        }
    }

    private static void FloatAffine(ReadOnlySpan<byte> source, byte[] output, int w, int h, double[] a)
    {
        double xo = a[2] + a[1] * 0.5 + a[0] * 0.5, yo = a[5] + a[4] * 0.5 + a[3] * 0.5;
        for (int y = 0; y < h; y++)
        {
            double xx = xo, yy = yo;
            for (int x = 0; x < w; x++)
            {
                int xin = Coord(xx), yin = Coord(yy);
                if (xin >= 0 && xin < w && yin >= 0 && yin < h) CopyPixel(source, 3 * (yin * w + xin), output, 3 * (y * w + x));
                xx += a[0];
                yy += a[3];
            }
            xo += a[1];
            yo += a[4];
        }
    }

    private static RgbImage Permute(RgbImage image, int outWidth, int outHeight, Func<int, int, (int X, int Y)> sourceOf)
    {
        var source = image.Pixels;
        var output = new byte[source.Length];
        for (int y = 0; y < outHeight; y++)
        for (int x = 0; x < outWidth; x++)
        {
            var (sx, sy) = sourceOf(x, y);
            CopyPixel(source, 3 * (sy * image.Width + sx), output, 3 * (y * outWidth + x));
        }
        return new RgbImage(outWidth, outHeight, output);
    }

    private static void CopyPixel(ReadOnlySpan<byte> source, int from, byte[] output, int to)
    {
        output[to] = source[from];
        output[to + 1] = source[from + 1];
        output[to + 2] = source[from + 2];
    }

    private static bool FitsFixedPoint(double[] a, int x, int y) =>
        Math.Abs(x * a[0] + y * a[1] + a[2]) < 32768.0 && Math.Abs(x * a[3] + y * a[4] + a[5]) < 32768.0;

    // Geometry.c: COORD(v) = v < 0 ? -1 : (int)v; FIX(v) = FLOOR(v * 65536 + 0.5).
    private static int Coord(double v) => v < 0.0 ? -1 : (int)v;

    private static int Fix(double v) => (int)Math.Floor(v * 65536.0 + 0.5);

    // Python's math.radians / math.degrees multiply by the constants pi/180 and 180/pi.
    private static double Radians(double degrees) => degrees * (Math.PI / 180.0);

    private static double Degrees(double radians) => radians * (180.0 / Math.PI);

    // Python float %: the result takes the divisor's sign.
    private static double PythonMod(double x, double m)
    {
        double r = x % m;
        return r != 0 && (r < 0) != (m < 0) ? r + m : r == 0 ? 0.0 : r;
    }

    // Python round(x, 15): correctly rounded to 15 decimals, then back to the nearest double.
    private static double Round15(double x) => double.Parse(x.ToString("F15", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
