namespace CleanClip;

/// <summary>
/// The set of defaults a command starts from (<c>--preset</c>). Options given explicitly override the preset's values;
/// <see cref="Presets"/> holds what each preset sets.
/// </summary>
public enum Preset
{
    /// <summary>CleanClip's own defaults: each reference defect with an option is corrected.</summary>
    Default,

    /// <summary>
    /// Every reference-compatibility switch of the command on at once, to reproduce the reference implementation as far
    /// as options can (docs/reference-behaviour.md §14, §15).
    /// </summary>
    Reference,
}

/// <summary>
/// Marks the enum member, or the bool option, that reproduces a behaviour of the reference implementation which CleanClip
/// otherwise corrects. <see cref="Preset.Reference"/> sets every marked switch of the option records its commands take;
/// the preset tests find the marks by reflection, so a new marked switch that the preset leaves alone fails them.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class ReferenceSwitchAttribute : Attribute;
