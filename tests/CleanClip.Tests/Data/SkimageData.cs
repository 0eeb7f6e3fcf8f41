namespace CleanClip.Tests.Data;

/// <summary>Sample photos installed by Debian's python3-skimage; never committed, so tests skip without them.</summary>
public static class SkimageData
{
    public static string? Directory { get; } = new[]
    {
        Environment.GetEnvironmentVariable("CLEANCLIP_SKIMAGE_DATA"),
        "/usr/lib/python3/dist-packages/skimage/data",
    }.FirstOrDefault(d => !string.IsNullOrEmpty(d) && System.IO.Directory.Exists(d));

    public static string? Find(string fileName) =>
        Directory is { } d && File.Exists(Path.Combine(d, fileName)) ? Path.Combine(d, fileName) : null;

    public static string Missing(string fileName) =>
        $"{fileName} not found: install python3-skimage (apt) or set CLEANCLIP_SKIMAGE_DATA to its skimage/data folder";
}
