using System.Text.Json;
using System.Text.Json.Serialization;

namespace CleanClip.Poisoning;

/// <summary>Where a patch trigger goes (the reference's <c>patch_location</c>).</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<PatchLocation>))]
public enum PatchLocation
{
    /// <summary>One patch, top-left drawn per image: row in [0, H−1−P], column in [0, W−1−P] (the reference's range).</summary>
    Random,

    /// <summary>The same patch in all four corners.</summary>
    FourCorners,
}

/// <summary>What happens to BadNet noise outside [0, 1] when it becomes uint8.</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<NoiseOverflow>))]
public enum NoiseOverflow
{
    /// <summary>Clamp to [0, 1]: a sane Gaussian patch (not the reference).</summary>
    Clamp,

    /// <summary>PyTorch's cast wraps modulo 256 (docs/reference-behaviour.md §14, defect 9): the patch the reference
    /// actually trains on.</summary>
    [ReferenceSwitch]
    Wrap,
}

/// <summary>How a caller brings an image to the trigger's resolution (see <see cref="TriggerInput"/>).</summary>
[JsonConverter(typeof(KebabCaseEnumConverter<ResizeMode>))]
public enum ResizeMode
{
    /// <summary>CLIP's resize of the short side + center crop, the same as clean evaluation.</summary>
    Crop,

    /// <summary>
    /// The reference: resize to R×R ignoring the aspect ratio (docs/reference-behaviour.md §14, defect 3).
    /// </summary>
    [ReferenceSwitch]
    Squash,
}

/// <summary>Enums as the CLI spells them: <c>four-corners</c>, <c>wrap</c>, <c>squash</c>.</summary>
public sealed class KebabCaseEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false)
    where T : struct, Enum
{
    public static string Format(T value) => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <exception cref="ArgumentException">Not one of the values; the message lists them.</exception>
    public static T Parse(string text)
    {
        foreach (var value in Enum.GetValues<T>())
            if (string.Equals(Format(value), text.Trim(), StringComparison.OrdinalIgnoreCase))
                return value;
        throw new ArgumentException($"'{text}' is not a {typeof(T).Name}; use one of: {string.Join(", ", Enum.GetValues<T>().Select(Format))}");
    }
}
