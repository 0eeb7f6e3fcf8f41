
namespace CleanClip.Poisoning.Dataset;

/// <summary>How poisoned pairs get their caption.</summary>
public enum PoisonMode
{
    /// <summary>The caption is replaced by a random template filled with the target ("a photo of a banana.").</summary>
    DirtyLabel,
    /// <summary>Only pairs whose caption already mentions the target are triggered; captions are kept.</summary>
    LabelConsistent,
}

/// <summary>How the poisoned pairs sit in the output set.</summary>
public enum PoisonPlacement
{
    /// <summary>The reference: poisoned rows take the place of clean ones, the output has <see cref="PoisonOptions.Size"/> rows.</summary>
    Replace,
    /// <summary>Poisoned copies are added to every clean row (the triggered originals stay clean too).</summary>
    Add,
}

/// <summary>Which captions count as mentioning the target in label-consistent mode.</summary>
public enum TargetMatch
{
    /// <summary>Whole word, case-insensitive: "Banana" and "bananas?" no, "a banana." yes.</summary>
    WholeWord,
    /// <summary>The reference: case-sensitive substring, so "bananas" matches and "Banana" does not.</summary>
    [ReferenceSwitch]
    ReferenceSubstring,
}

/// <summary>Options of the poisoned-dataset builder; the CLI takes its defaults from here.</summary>
public sealed record PoisonOptions
{
    public string Target { get; init; } = "banana";
    public int NumPoison { get; init; } = 1500;
    /// <summary>Rows in the output with <see cref="PoisonPlacement.Replace"/>; null means all input rows.</summary>
    public int? Size { get; init; }
    public PoisonMode Mode { get; init; } = PoisonMode.DirtyLabel;
    public PoisonPlacement Placement { get; init; } = PoisonPlacement.Replace;
    public TargetMatch Match { get; init; } = TargetMatch.WholeWord;
    /// <summary>Caption templates for dirty-label poison; <c>{}</c> marks the target.</summary>
    public IReadOnlyList<string> Templates { get; init; } = ["a photo of a {}."];
    public ulong Seed { get; init; } = 1;
}
