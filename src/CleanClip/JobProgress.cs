namespace CleanClip;

/// <summary>How far a long job is: the library reports these, the CLI draws them as progress bars.</summary>
public readonly record struct JobProgress(string Stage, long Done, long Total);
