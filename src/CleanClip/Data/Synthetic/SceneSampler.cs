namespace CleanClip.Data.Synthetic;

/// <summary>Draws the parameters of one image: object kind is given, everything else comes from the stream.</summary>
public static class SceneSampler
{
    /// <summary>Object radius per size class, as a fraction of the image side.</summary>
    public static readonly IReadOnlyDictionary<SizeClass, double> Radius = new Dictionary<SizeClass, double>
    {
        [SizeClass.Small] = 0.13, [SizeClass.Medium] = 0.19, [SizeClass.Large] = 0.26,
    };

    /// <summary>Grid cell centres along either axis, as fractions of the image side.</summary>
    public static readonly IReadOnlyList<double> CellCentres = [0.2, 0.5, 0.8];

    /// <summary>Largest background gradient offset per channel from the named colour, either way.</summary>
    public const int GradientSpread = 28;

    private const double SizeJitter = 0.1;
    private const double PositionJitter = 0.05;
    private const int ColourJitter = 10;
    // tan(12.5°): rotations stay within ±25°, so arrows point right-ish and squares stay squares.
    private const double MaxHalfAngleTangent = 0.22169466264294;

    public static Scene Sample(SyntheticWorldOptions options, ShapeKind kind, ref SplitMix64 random, ulong noiseSeed)
    {
        var colour = kind.Colours is null ? random.Pick(Palette.Colours) : Palette.Get(random.Pick(kind.Colours));
        var background = SampleBackground(colour, ref random);
        var size = options.Sizes[random.NextInt(options.Sizes.Count)];
        double radius = Radius[size] * random.NextDouble(1 - SizeJitter, 1 + SizeJitter);
        var cell = new GridCell(random.NextInt(3), random.NextInt(3));
        // Clamping the centre by the outline's reach keeps the whole object inside the frame.
        double reach = ShapeCatalog.Reach * radius;
        double x = Math.Clamp(CellCentres[cell.Column] + random.NextDouble(-PositionJitter, PositionJitter), reach, 1 - reach);
        double y = Math.Clamp(CellCentres[cell.Row] + random.NextDouble(-PositionJitter, PositionJitter), reach, 1 - reach);
        var rotation = Rotation.FromHalfAngleTangent(random.NextDouble(-MaxHalfAngleTangent, MaxHalfAngleTangent));
        var sceneObject = new SceneObject(kind.Name, colour, colour.Value.Jitter(ref random, ColourJitter), size, radius, cell, x, y, rotation);
        var clutter = random.NextBool(options.ClutterProbability)
            ? SampleClutter(1 + random.NextInt(options.MaxClutter), colour, background.Colour, ref random)
            : [];
        return new Scene(options.ImageSize, background, sceneObject, clutter, options.NoiseSigma, noiseSeed);
    }

    private static SceneBackground SampleBackground(NamedColour objectColour, ref SplitMix64 random)
    {
        var colour = random.Pick(Palette.Colours.Where(c => Palette.Contrasts(c, objectColour)).ToList());
        int dr = random.NextInt(2 * GradientSpread + 1) - GradientSpread;
        int dg = random.NextInt(2 * GradientSpread + 1) - GradientSpread;
        int db = random.NextInt(2 * GradientSpread + 1) - GradientSpread;
        var (r, g, b) = (colour.Value.R, colour.Value.G, colour.Value.B);
        var from = new Rgb(Channel(r + dr), Channel(g + dg), Channel(b + db));
        var to = new Rgb(Channel(r - dr), Channel(g - dg), Channel(b - db));
        // A uniform direction by rejection from the unit disc: square roots are exact in IEEE, angles are not.
        double dx, dy, lengthSquared;
        do
        {
            dx = random.NextDouble(-1, 1);
            dy = random.NextDouble(-1, 1);
            lengthSquared = dx * dx + dy * dy;
        } while (lengthSquared is > 1 or < 0.01);
        double length = Math.Sqrt(lengthSquared);
        return new SceneBackground(colour, from, to, dx / length, dy / length);
    }

    private static List<ClutterItem> SampleClutter(int count, NamedColour objectColour, NamedColour backgroundColour, ref SplitMix64 random)
    {
        // Distractors never share the object's colour word, so a caption's colour stays the colour of its object.
        var colours = Palette.Colours.Where(c => c != objectColour && Palette.Contrasts(c, backgroundColour)).ToList();
        var items = new List<ClutterItem>(count);
        for (int i = 0; i < count; i++)
        {
            var shape = (ClutterShape)random.NextInt(2);
            var fill = random.Pick(colours).Value.Jitter(ref random, ColourJitter);
            double x = random.NextDouble(0.05, 0.95), y = random.NextDouble(0.05, 0.95);
            double radius = shape == ClutterShape.Dot ? random.NextDouble(0.025, 0.045) : random.NextDouble(0.06, 0.1);
            var rotation = Rotation.FromHalfAngleTangent(random.NextDouble(-1, 1));
            items.Add(new ClutterItem(shape, fill, x, y, radius, rotation));
        }
        return items;
    }

    private static byte Channel(int value) => (byte)Math.Clamp(value, 0, 255);
}
