using System.Text.RegularExpressions;
using Xunit;

namespace CleanClip.Tests.Architecture;

/// <summary>
/// The library's folders depend one way, from the leaves up: a file may use its own folder, the files at the
/// library's root, and folders of a lower layer, never one of its own layer or above. Read from the source text: every
/// <c>using CleanClip.X</c>, every <c>CleanClip.X.</c> and every <c>X.Type</c> that names a folder.
/// </summary>
public partial class FolderDependencyTests
{
    /// <summary>Layers from the leaves up; folders of one layer do not use each other.</summary>
    public static readonly string[][] Layers =
    [
        ["Models", "Data"],
        ["Text", "Optimization"],
        ["Checkpoints", "Poisoning"],
        ["Evaluation"],
        ["Training"],
        ["Attacks", "Detection", "Presets", "Sweeps"],
        ["Reporting"],
        ["Demo"],
    ];

    private static int LayerOf(string folder) => Array.FindIndex(Layers, layer => layer.Contains(folder));

    [GeneratedRegex(@"\busing\s+(?:static\s+)?CleanClip\.(\w+)|\bCleanClip\.(\w+)\.|(?<![\w.])(\w+)\.[A-Z]")]
    private static partial Regex Reference();

    [GeneratedRegex(@"//.*$|""(?:[^""\\\n]|\\.)*""", RegexOptions.Multiline)]
    private static partial Regex CommentOrString();

    /// <summary>The library folder's files, by their top folder.</summary>
    private static IEnumerable<(string Folder, string File)> LibraryFiles()
    {
        var root = Path.Combine(RepositoryRoot(), "src", "CleanClip");
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar);
            if (relative.Length < 2 || relative[0] is "bin" or "obj") continue;
            yield return (relative[0], file);
        }
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CleanClip.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no CleanClip.sln above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void EveryLibraryFolderHasALayer()
    {
        var folders = LibraryFiles().Select(f => f.Folder).Distinct().Order().ToList();
        Assert.NotEmpty(folders);
        Assert.All(folders, folder => Assert.True(LayerOf(folder) >= 0, $"src/CleanClip/{folder} is in no layer of {nameof(Layers)}: add it where it belongs"));
    }

    [Fact]
    public void NoFolderUsesOneOfItsOwnLayerOrAbove()
    {
        var folders = Layers.SelectMany(l => l).ToHashSet();
        var violations = new List<string>();
        foreach (var (folder, file) in LibraryFiles())
        {
            int layer = LayerOf(folder);
            if (layer < 0) continue;
            var text = CommentOrString().Replace(File.ReadAllText(file), "");
            var used = Reference().Matches(text)
                .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value)
                .Where(name => folders.Contains(name) && name != folder).Distinct();
            foreach (var other in used)
                if (LayerOf(other) >= layer)
                    violations.Add($"{Path.GetRelativePath(RepositoryRoot(), file)} ({folder}, layer {layer}) uses {other} (layer {LayerOf(other)})");
        }
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void TheCheckSeesAnUpwardReference()
    {
        // The pattern itself: a using, a qualified name and a folder-qualified type are all found; comments and strings are not.
        const string source = "using CleanClip.Training;\nvar x = CleanClip.Evaluation.EvalJob.Run();\nvar y = Demo.DemoJob.X; // Reporting.ReportJob\nvar s = \"Attacks.TriggerOptimizer\";";
        var found = Reference().Matches(CommentOrString().Replace(source, ""))
            .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value).ToHashSet();
        Assert.Contains("Training", found);
        Assert.Contains("Evaluation", found);
        Assert.Contains("Demo", found);
        Assert.DoesNotContain("Reporting", found);
        Assert.DoesNotContain("Attacks", found);
    }
}
