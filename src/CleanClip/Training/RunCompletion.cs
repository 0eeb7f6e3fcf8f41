using System.Text.Json;
using System.Text.Json.Serialization;

namespace CleanClip.Training;

/// <summary>
/// The marker a training run folder holds once its run has completed: <c>complete.json</c>, written atomically as the
/// last file of a completed session (after <c>model.safetensors</c> and everything else), and removed when a session
/// starts, so its presence means the folder's latest session ran to the end. <c>train</c>, <c>clean</c>,
/// <c>finetune-supervised</c> and <c>demo</c> write it; <c>sweep</c> decides from it which points are done.
/// </summary>
public static class RunCompletion
{
    public const string FileName = "complete.json";
    public const string Format = "cleanclip-run-complete/1";

    /// <param name="Format">Always <see cref="RunCompletion.Format"/>.</param>
    /// <param name="Steps">Optimizer steps of the whole run.</param>
    /// <param name="Model">The run's result, relative to the run folder: a training run's final weights, a demo's results.json.</param>
    /// <param name="FinishedUtc">When the marker was written.</param>
    public sealed record Marker(string Format, long Steps, string Model, DateTime FinishedUtc);

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes the marker of a completed run; call it after every other file of the run is in place.</summary>
    public static void Write(string runDirectory, long steps, string modelFile) =>
        AtomicFile.WriteAllText(Path.Combine(runDirectory, FileName),
            JsonSerializer.Serialize(new Marker(Format, steps, Path.GetRelativePath(runDirectory, modelFile), DateTime.UtcNow), Json) + "\n");

    /// <summary>Removes the marker (a session is starting, so the folder no longer holds a finished run until it ends).</summary>
    public static void Clear(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        if (File.Exists(path)) File.Delete(path);
    }

    /// <summary>The marker of <paramref name="runDirectory"/>, or null when it has none or it is not a readable marker.</summary>
    public static Marker? Read(string runDirectory)
    {
        var file = new FileInfo(Path.Combine(runDirectory, FileName));
        if (!file.Exists || file.Length > 64 * 1024) return null;
        try
        {
            var marker = JsonSerializer.Deserialize<Marker>(File.ReadAllText(file.FullName), Json);
            return marker?.Format == Format ? marker : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether the folder's latest training session completed (its marker is present and readable).</summary>
    public static bool IsComplete(string runDirectory) => Read(runDirectory) is not null;
}
