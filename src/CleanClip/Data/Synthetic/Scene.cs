namespace CleanClip.Data.Synthetic;

/// <summary>The three object sizes, by radius as a fraction of the image side (before a ±10% jitter).</summary>
public enum SizeClass { Small, Medium, Large }

/// <summary>A cell of the 3×3 position grid: row 0 is the top, column 0 the left.</summary>
public readonly record struct GridCell(int Row, int Column);

/// <summary>
/// A rotation by its cosine and sine. Drawn as the half-angle tangent t (cos = (1−t²)/(1+t²), sin = 2t/(1+t²)) so
/// only exactly-rounded IEEE arithmetic, never a platform's trigonometry, decides where a pixel lands.
/// </summary>
public readonly record struct Rotation(double Cos, double Sin)
{
    public static readonly Rotation None = new(1, 0);

    public static Rotation FromHalfAngleTangent(double t) => new((1 - t * t) / (1 + t * t), 2 * t / (1 + t * t));
}

/// <summary>The captioned object: positions and radius are fractions of the image side.</summary>
public sealed record SceneObject(
    string Kind, NamedColour Colour, Rgb Fill, SizeClass Size, double Radius, GridCell Cell,
    double CenterX, double CenterY, Rotation Rotation);

/// <summary>A linear gradient from <see cref="From"/> to <see cref="To"/> along a unit direction, around a named colour.</summary>
public sealed record SceneBackground(NamedColour Colour, Rgb From, Rgb To, double DirectionX, double DirectionY);

public enum ClutterShape { Dot, Stroke }

/// <summary>A small distractor drawn under the object; never named in captions.</summary>
public sealed record ClutterItem(ClutterShape Shape, Rgb Fill, double CenterX, double CenterY, double Radius, Rotation Rotation);

/// <summary>Everything needed to draw one image, pixel for pixel.</summary>
public sealed record Scene(
    int Size, SceneBackground Background, SceneObject Object, IReadOnlyList<ClutterItem> Clutter,
    double NoiseSigma, ulong NoiseSeed);
