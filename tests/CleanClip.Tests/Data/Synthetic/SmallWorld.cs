using CleanClip.Data.Synthetic;

namespace CleanClip.Tests.Data.Synthetic;

/// <summary>One small world (60 train, 20 finetune, 30 test images at 32 px), generated once for a test class.</summary>
public sealed class SmallWorld : IDisposable
{
    public static readonly SyntheticWorldOptions Options = new()
    {
        Count = 60, FinetuneCount = 20, TestCount = 30, ImageSize = 32, Seed = 1,
    };

    private readonly TempDir _dir = new();

    public string Folder { get; }
    public SyntheticWorldResult Result { get; }

    public SmallWorld()
    {
        Folder = _dir.File("world");
        Result = SyntheticWorld.Generate(Options, Folder);
    }

    public string PathOf(SyntheticSplit split, string relative) =>
        System.IO.Path.Combine(Folder, SyntheticWorld.Name(split), relative);

    /// <summary>Every file of a world by path relative to its folder, with its bytes.</summary>
    public static SortedDictionary<string, byte[]> Files(string folder) =>
        new(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => System.IO.Path.GetRelativePath(folder, f).Replace('\\', '/'), File.ReadAllBytes), StringComparer.Ordinal);

    public void Dispose() => _dir.Dispose();
}
