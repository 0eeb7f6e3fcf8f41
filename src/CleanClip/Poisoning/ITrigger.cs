using CleanClip.Data;

namespace CleanClip.Poisoning;

/// <summary>A backdoor trigger: a pure function of an image and a per-image seed.</summary>
public interface ITrigger
{
    /// <summary>The factory name, e.g. <c>badnet</c> or <c>blended-fixed</c>.</summary>
    string Name { get; }

    /// <summary>Everything that defines the trigger, for a poisoning manifest (serialise as <see cref="TriggerParameters"/>).</summary>
    TriggerParameters Parameters { get; }

    /// <summary>
    /// The triggered image, same size as <paramref name="image"/>. Same image and seed give the same bytes; every
    /// per-image random draw comes from a <see cref="SplitMix64"/> seeded with <paramref name="imageSeed"/>.
    /// Thread-safe.
    /// </summary>
    RgbImage Apply(RgbImage image, ulong imageSeed);
}
