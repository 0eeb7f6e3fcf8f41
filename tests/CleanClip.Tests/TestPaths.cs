namespace CleanClip.Tests;

/// <summary>Where tests find the repository's fixtures and the read-only material in ../shared.</summary>
public static class TestPaths
{
    /// <summary>The repository root: the first ancestor of the test binary holding CleanClip.sln.</summary>
    public static string RepoRoot { get; } = FindUp(d => File.Exists(Path.Combine(d, "CleanClip.sln")))
        ?? throw new InvalidOperationException("CleanClip.sln not found above " + AppContext.BaseDirectory);

    /// <summary>The shared/ folder beside the checkout (null when absent; tests that need it skip).</summary>
    public static string? Shared { get; } =
        Environment.GetEnvironmentVariable("CLEANCLIP_SHARED") is { Length: > 0 } env && Directory.Exists(env) ? env
        : FindUp(d => Directory.Exists(Path.Combine(d, "shared", "docs"))) is { } p ? Path.Combine(p, "shared") : null;

    public static string Fixture(params string[] parts) =>
        Path.Combine(new[] { RepoRoot, "tests", "CleanClip.Tests", "Fixtures" }.Concat(parts).ToArray());

    /// <summary>A file under shared/, or null when shared/ or the file is missing.</summary>
    public static string? SharedFile(params string[] parts)
    {
        if (Shared is null) return null;
        var path = Path.Combine(new[] { Shared }.Concat(parts).ToArray());
        return File.Exists(path) ? path : null;
    }

    public static string VocabPath => SharedFile("clip", "bpe_simple_vocab_16e6.txt.gz") ?? "";

    private static string? FindUp(Func<string, bool> found)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (found(d.FullName)) return d.FullName;
        return null;
    }
}
