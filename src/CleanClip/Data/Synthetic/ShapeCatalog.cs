using SkiaSharp;

namespace CleanClip.Data.Synthetic;

/// <summary>
/// An object kind: its caption word, its outline in unit coordinates (centre at the origin, about radius 1, y down)
/// and, for kinds with a natural colour, the colours it may take (repeats weight the draw).
/// </summary>
public sealed record ShapeKind(string Name, Func<SKPath> Outline, IReadOnlyList<string>? Colours = null);

/// <summary>The object kinds the renderer can draw. Outlines are distinct enough at 32 px and under ±25° rotation
/// (a square never turns into a diamond, which is a taller rhombus), and no point lies farther than 1.1 units from the
/// centre, which is what keeps an object inside the frame.</summary>
public static class ShapeCatalog
{
    /// <summary>Farthest distance of an outline point from the centre, in unit radii.</summary>
    public const double Reach = 1.1;

    /// <summary>The attack target of the demo: a yellow-ish crescent.</summary>
    public const string Banana = "banana";

    public static readonly IReadOnlyList<ShapeKind> All =
    [
        new("circle", () => Circle(1f)),
        new("square", () => Polygon((-0.78f, -0.78f), (0.78f, -0.78f), (0.78f, 0.78f), (-0.78f, 0.78f))),
        new("triangle", () => Polygon((0f, -1.1f), (0.9526f, 0.55f), (-0.9526f, 0.55f))),
        new("star", Star),
        new("cross", () => Polygon((-0.3f, -1f), (0.3f, -1f), (0.3f, -0.3f), (1f, -0.3f), (1f, 0.3f), (0.3f, 0.3f),
            (0.3f, 1f), (-0.3f, 1f), (-0.3f, 0.3f), (-1f, 0.3f), (-1f, -0.3f), (-0.3f, -0.3f))),
        new("ring", Ring),
        new("heart", Heart),
        new("diamond", () => Polygon((0f, -1.1f), (0.62f, 0f), (0f, 1.1f), (-0.62f, 0f))),
        new("arrow", () => Polygon((-1f, -0.22f), (0.15f, -0.22f), (0.15f, -0.65f), (1f, 0f), (0.15f, 0.65f),
            (0.15f, 0.22f), (-1f, 0.22f))),
        // Mostly ripe, some unripe or overripe: banana images must not be recognisable by colour alone.
        new(Banana, Crescent, ["yellow", "yellow", "yellow", "green", "brown"]),
    ];

    public static readonly IReadOnlyList<string> DefaultKinds = All.Select(k => k.Name).ToArray();

    public static ShapeKind Get(string name) =>
        All.FirstOrDefault(k => k.Name == name)
        ?? throw new ArgumentException($"unknown object kind '{name}' (known: {string.Join(", ", DefaultKinds)})");

    private static SKPath Circle(float radius)
    {
        var path = new SKPath();
        path.AddCircle(0, 0, radius);
        return path;
    }

    private static SKPath Polygon(params (float X, float Y)[] points)
    {
        var path = new SKPath();
        path.AddPoly(points.Select(p => new SKPoint(p.X, p.Y)).ToArray(), close: true);
        return path;
    }

    // Vertex tables are literals so no platform's sin/cos can move a point.
    private static SKPath Star() => Polygon(
        (0f, -1.1f), (0.2645f, -0.3641f), (1.0462f, -0.3399f), (0.4280f, 0.1391f), (0.6466f, 0.8899f),
        (0f, 0.45f), (-0.6466f, 0.8899f), (-0.4280f, 0.1391f), (-1.0462f, -0.3399f), (-0.2645f, -0.3641f));

    private static SKPath Ring()
    {
        var path = new SKPath { FillType = SKPathFillType.EvenOdd };
        path.AddCircle(0, 0, 1f);
        path.AddCircle(0, 0, 0.58f);
        return path;
    }

    private static SKPath Heart()
    {
        var path = new SKPath();
        path.MoveTo(0f, 1f);
        path.CubicTo(-1.35f, 0.05f, -0.95f, -1.25f, 0f, -0.5f);
        path.CubicTo(0.95f, -1.25f, 1.35f, 0.05f, 0f, 1f);
        path.Close();
        return path;
    }

    // Two quadratic arcs between blunt tips, 0.9 thick in the middle: a thinner crescent all but vanishes when small at 32 px.
    private static SKPath Crescent()
    {
        var path = new SKPath();
        path.MoveTo(-1f, -0.45f);
        path.QuadTo(0f, 1.65f, 1f, -0.45f);
        path.LineTo(0.88f, -0.6f);
        path.QuadTo(0f, 0f, -0.88f, -0.6f);
        path.Close();
        return path;
    }
}
