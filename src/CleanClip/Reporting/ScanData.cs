using System.Globalization;
using System.Text.Json;
using CleanClip.Data;
using CleanClip.Detection;
using CsvHelper;
using CsvHelper.Configuration;

namespace CleanClip.Reporting;

/// <summary>
/// What a <c>cleanclip scan</c> folder holds for the report: every detector's score per scored row and, when the scan
/// knew the ground truth, which rows were poisoned. Read from scan.json (the detectors and the primary one) and
/// scores.csv (the scores), so the report needs nothing but the files.
/// </summary>
public sealed record ScanData(string Primary, IReadOnlyDictionary<string, float[]> Scores, bool[]? Poisoned)
{
    /// <summary>The scan of <paramref name="folder"/>, or null when it holds no scan.json.</summary>
    /// <exception cref="InvalidDataException">scan.json or scores.csv is not what scan writes; the message names the file and what is wrong.</exception>
    public static ScanData? Load(string folder)
    {
        var summaryPath = Path.Combine(folder, ScanJob.SummaryFile);
        if (!File.Exists(summaryPath)) return null;
        var (primary, detectors) = ReadSummary(summaryPath);
        var scoresPath = Path.Combine(folder, ScanJob.ScoresFile);
        if (!File.Exists(scoresPath)) throw new InvalidDataException($"{scoresPath}: missing beside {ScanJob.SummaryFile}");
        using var reader = new StreamReader(scoresPath);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        if (!csv.Read() || !csv.ReadHeader()) throw new InvalidDataException($"{scoresPath}: empty, expected a header line");
        var header = csv.HeaderRecord!;
        foreach (var name in detectors)
            if (!header.Contains(name)) throw new InvalidDataException($"{scoresPath}: no '{name}' column, which {ScanJob.SummaryFile} lists as a detector");
        bool hasTruth = header.Contains(CaptionTableOptions.BackdoorKey);
        var scores = detectors.ToDictionary(d => d, _ => new List<float>());
        var poisoned = new List<bool>();
        while (csv.Read())
        {
            int line = csv.Parser.RawRow;
            foreach (var name in detectors)
            {
                var text = csv.GetField(name);
                if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    throw new InvalidDataException($"{scoresPath}, line {line}: {name} is '{text}', expected a number");
                scores[name].Add(value);
            }
            if (hasTruth)
            {
                var flag = csv.GetField(CaptionTableOptions.BackdoorKey);
                poisoned.Add(flag switch
                {
                    "1" => true,
                    "0" => false,
                    _ => throw new InvalidDataException($"{scoresPath}, line {line}: {CaptionTableOptions.BackdoorKey} is '{flag}', expected 0 or 1"),
                });
            }
        }
        return new ScanData(primary, scores.ToDictionary(p => p.Key, p => p.Value.ToArray()), hasTruth ? poisoned.ToArray() : null);
    }

    /// <summary>Whether both poisoned and clean rows are known, so that metrics and a ROC curve exist.</summary>
    public bool HasBothClasses => Metrics is not null;

    /// <summary>Each detector's metrics against <see cref="Poisoned"/>, computed once; null without both classes.</summary>
    public IReadOnlyDictionary<string, ScanMetrics>? Metrics { get; } =
        Poisoned is { } p && p.Contains(true) && p.Contains(false)
            ? Scores.ToDictionary(s => s.Key, s => DetectionMetrics.Compute(s.Value, p)!)
            : null;

    private static (string Primary, string[] Detectors) ReadSummary(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.GetString() != ScanJob.Format)
                throw new InvalidDataException($"{path}: not a '{ScanJob.Format}' summary");
            var detectors = root.TryGetProperty("detectors", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(d => d.GetString() ?? "").ToArray()
                : throw new InvalidDataException($"{path}: no 'detectors' list");
            var primary = root.TryGetProperty("primary", out var p) && p.GetString() is { } name && detectors.Contains(name)
                ? name : throw new InvalidDataException($"{path}: 'primary' must name one of the detectors ({string.Join(", ", detectors)})");
            return (primary, detectors);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not JSON ({e.Message})", e);
        }
    }
}
