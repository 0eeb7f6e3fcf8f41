namespace CleanClip.Presets;

/// <summary>
/// One setting a preset changes, as a user sees it: the CLI option (null for a setting without one), the value the
/// preset gives it, the commands that take it, and where docs/reference-behaviour.md describes the reference's behaviour.
/// </summary>
public sealed record PresetSwitch(string? Option, string Value, IReadOnlyList<string> Commands, string Section)
{
    /// <summary>The switch as the preset note prints it: <c>--schedule Reference</c>, <c>--restore-optimizer</c>, or the value alone.</summary>
    public override string ToString() => Option is null ? Value : Value == "on" ? Option : $"{Option} {Value}";
}
