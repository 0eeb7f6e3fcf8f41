using System.Globalization;

namespace CleanClip.Demo;

/// <summary>Which images the demo's story is told on; spelled <c>synthetic</c> and <c>real</c> on the command line.</summary>
public enum DemoWorldKind
{
    /// <summary>The generated shapes world (<see cref="Data.Synthetic.SyntheticWorld"/>), sized by <see cref="DemoOptions.World"/>.</summary>
    Synthetic,
    /// <summary>The Fashion-MNIST subset the repository ships (data/fashion-mnist), cut by <see cref="DemoOptions.Real"/>.</summary>
    Real,
}

/// <summary>Images <c>[Start, End)</c> of a split, as <c>cleanclip caption-table --range START:END</c> takes them.</summary>
public readonly record struct ImageRange(int Start, int End)
{
    public int Count => End - Start;
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Start}:{End}");
}

/// <summary>
/// The real world: captioned pretraining and cleaning tables cut from disjoint ranges of the Fashion-MNIST train split
/// (the subset has 12,000 train images, so 10,000 for pretraining leave 2,000 for cleaning), evaluated on its test split.
/// </summary>
public sealed record RealWorldOptions
{
    /// <summary>The Fashion-MNIST folder (idx files); null: found by <see cref="DemoData.Find"/>.</summary>
    public string? Data { get; init; }
    /// <summary>Train-split images captioned and poisoned for pretraining.</summary>
    public ImageRange Pretraining { get; init; } = new(0, 10_000);
    /// <summary>Train-split images captioned for cleaning; also the labeled set of supervised finetuning and the linear probe.</summary>
    public ImageRange Cleaning { get; init; } = new(10_000, 12_000);
}

/// <summary>Where the real world's images are: the repository's data/fashion-mnist, found without being told.</summary>
public static class DemoData
{
    /// <summary>The subset's folder relative to the repository root.</summary>
    public static readonly string RelativeFolder = Path.Combine("data", "fashion-mnist");

    /// <summary>
    /// <paramref name="data"/> when given (it must be a folder), else the first <c>data/fashion-mnist</c> folder in
    /// <paramref name="starts"/> or one of their ancestors (by default the current folder, then the app's folder, so both
    /// <c>dotnet run</c> in a checkout and a build output inside it find the repository's copy).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">Neither; the message is one line that says how to fix it.</exception>
    public static string Find(string? data, IEnumerable<string>? starts = null)
    {
        if (data is not null)
            return Directory.Exists(data) ? Path.GetFullPath(data)
                : throw new DirectoryNotFoundException($"--data {data}: no such folder (expected Fashion-MNIST idx files, as in the repository's {RelativeFolder})");
        var searched = (starts ?? [Environment.CurrentDirectory, AppContext.BaseDirectory]).Select(Path.GetFullPath).Distinct().ToList();
        foreach (var start in searched)
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine(folder.FullName, RelativeFolder);
                if (Directory.Exists(candidate)) return candidate;
            }
        throw new DirectoryNotFoundException(
            $"--world real needs the Fashion-MNIST subset {RelativeFolder}, not found in or above {string.Join(" or ", searched)}: run inside a CleanCLIP checkout or pass --data DIR");
    }
}
