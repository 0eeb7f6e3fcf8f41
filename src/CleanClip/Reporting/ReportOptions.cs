using CleanClip.Evaluation;

namespace CleanClip.Reporting;

/// <summary>Options of <c>cleanclip report</c>; the CLI takes its defaults from here.</summary>
public sealed record ReportOptions
{
    /// <summary>Run folders, each with an <c>eval.json</c> and/or a <c>metrics.jsonl</c>.</summary>
    public required IReadOnlyList<string> Runs { get; init; }
    /// <summary>Where report.md, report.json and the PNG figures go.</summary>
    public string Output { get; init; } = "report";
    /// <summary>Eval images shown with and without the trigger per checkpoint; 0 leaves the example grids out.</summary>
    public int Examples { get; init; } = 6;
    /// <summary>Side in pixels of one example image in the grid (images are enlarged by whole factors, nearest neighbour).</summary>
    public int ExampleCell { get; init; } = 96;
    public int PlotWidth { get; init; } = 800;
    public int PlotHeight { get; init; } = 450;
    public string Device { get; init; } = "cpu";
    /// <summary>Open TorchScript checkpoints, which can run code (<see cref="Checkpoints.CheckpointReadOptions.TrustTorchScript"/>).</summary>
    public bool TrustTorchScript { get; init; }
}

/// <summary>One PNG of the report: its file name (in the output folder), what it shows, and the run it belongs to (null for all runs).</summary>
public sealed record ReportFigure(string File, string Kind, string? Run, string Caption);

/// <summary>What was written, and every section that was left out and why.</summary>
public sealed record ReportResult(string MarkdownPath, string JsonPath, IReadOnlyList<ReportFigure> Figures, IReadOnlyList<string> Notes);
