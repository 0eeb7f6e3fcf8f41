using CleanClip.Data;
using CleanClip.Training.Augmentation;
using Xunit;

namespace CleanClip.Tests.Training;

/// <summary>Rotate, shear and translate on tiny grey images; pixel v(x, y) = 10·y + x + 1, 0 means black fill.</summary>
public class PilGeometryTests
{
    private static RgbImage Numbered(int width, int height)
    {
        var values = new int[width * height];
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
            values[y * width + x] = 10 * y + x + 1;
        return PilOpsTests.Gray(width, height, values);
    }

    private static int[] Values(RgbImage image) => PilOpsTests.Channel(image, 0);

    [Fact]
    public void Rotate_90_on_a_square_is_a_counter_clockwise_quarter_turn()
    {
        // 1  2  3        3 13 23
        // 11 12 13  →    2 12 22
        // 21 22 23       1 11 21
        var image = Numbered(3, 3);
        Assert.Equal(new[] { 3, 13, 23, 2, 12, 22, 1, 11, 21 }, Values(PilGeometry.Rotate(image, 90)));
        // −90 ≡ 270: clockwise.
        Assert.Equal(new[] { 21, 11, 1, 22, 12, 2, 23, 13, 3 }, Values(PilGeometry.Rotate(image, -90)));
        Assert.Equal(new[] { 23, 22, 21, 13, 12, 11, 3, 2, 1 }, Values(PilGeometry.Rotate(image, 180)));
        Assert.Equal(Values(image), Values(PilGeometry.Rotate(image, 360)));
        Assert.Equal(PilGeometry.Rotate(image, 90).Pixels.ToArray(), PilGeometry.Rotate90(image).Pixels.ToArray());
    }

    [Fact]
    public void Rotate_90_on_a_non_square_goes_through_the_affine_path()
    {
        // 4×2, centre (2, 1). The inverse matrix is [0, −1, 3; 1, 0, −1]: output centre (x+½, y+½) reads
        // input (3 − (y+½), x + ½ − 1). Row 0: x=0 → yin −½ → black; x=1 → in(2,0)=3; x=2 → in(2,1)=13; x=3 → yin 2½ → black.
        // Row 1: xin = 1: x=1 → in(1,0)=2; x=2 → in(1,1)=12.
        var result = PilGeometry.Rotate(Numbered(4, 2), 90);
        Assert.Equal(new[] { 0, 3, 13, 0, 0, 2, 12, 0 }, Values(result));
    }

    [Fact]
    public void Rotate_30_keeps_the_centre_and_blackens_the_corners()
    {
        // 5×5 about (2.5, 2.5); inverse map (cos 30, −sin 30; sin 30, cos 30) about the centre.
        // Output (2,0): offset (0, −2) → input offset (1, −1.73) → (3.5, 0.77) → in(3,0) = 4.
        // Output (0,2): offset (−2, 0) → (−1.73, −1) → (0.77, 1.5) → in(0,1) = 11.
        // Corners land outside (e.g. (0,0) → y −0.23).
        var result = Values(PilGeometry.Rotate(Numbered(5, 5), 30));
        Assert.Equal(23, result[2 * 5 + 2]);
        Assert.Equal(4, result[0 * 5 + 2]);
        Assert.Equal(11, result[2 * 5 + 0]);
        Assert.Equal(0, result[0]);
        Assert.Equal(0, result[4]);
        Assert.Equal(0, result[20]);
        Assert.Equal(0, result[24]);
    }

    [Fact]
    public void ShearX_moves_lower_rows_by_the_shear_times_the_row_centre()
    {
        // m = 0.3 about (0,0): source x = (x+½) + 0.3·(y+½), floored. Rows 0, 1: +0.15, +0.45 → same x;
        // rows 2, 3: +0.75, +1.05 → x + 1 (shifted left, last column black).
        var image = Numbered(4, 4);
        Assert.Equal(new[] { 1, 2, 3, 4, 11, 12, 13, 14, 22, 23, 24, 0, 32, 33, 34, 0 },
            Values(PilGeometry.ShearX(image, 0.30000001192092896)));
        // m = −0.3: rows 2, 3 read x − 1 (shifted right, first column black).
        Assert.Equal(new[] { 1, 2, 3, 4, 11, 12, 13, 14, 0, 21, 22, 23, 0, 31, 32, 33 },
            Values(PilGeometry.ShearX(image, -0.30000001192092896)));
    }

    [Fact]
    public void ShearY_moves_right_columns_vertically()
    {
        // m = 0.3: source y = (y+½) + 0.3·(x+½): columns 2, 3 read y + 1 (bottom row black there).
        Assert.Equal(new[] { 1, 2, 13, 14, 11, 12, 23, 24, 21, 22, 33, 34, 31, 32, 0, 0 },
            Values(PilGeometry.ShearY(Numbered(4, 4), 0.30000001192092896)));
    }

    [Fact]
    public void Translate_moves_by_the_truncated_magnitude()
    {
        var image = Numbered(4, 2);
        // int(1.7) = 1 to the right; first column black.
        Assert.Equal(new[] { 0, 1, 2, 3, 0, 11, 12, 13 }, Values(PilGeometry.TranslateX(image, 1.7)));
        // int(−2.9) = −2: two to the left.
        Assert.Equal(new[] { 3, 4, 0, 0, 13, 14, 0, 0 }, Values(PilGeometry.TranslateX(image, -2.9)));
        // Down by 1: top row black.
        Assert.Equal(new[] { 0, 0, 0, 0, 1, 2, 3, 4 }, Values(PilGeometry.TranslateY(image, 1.0)));
    }

    [Fact]
    public void Inverse_affine_matrix_of_a_pure_translation()
    {
        // torchvision: translate (3, −2) about the centre → PIL data [1, 0, −3, 0, 1, 2].
        var m = PilGeometry.InverseAffineMatrix(2, 1, 0, 3, -2, 1, 0, 0);
        Assert.Equal(new[] { 1.0, 0.0, -3.0, 0.0, 1.0, 2.0 }, m);
    }
}
