using CleanClip.Data;

namespace CleanClip.Training.Augmentation;

/// <summary>A random image augmentation as a pure function of (image, seed): thread-safe, reproducible per item.</summary>
public interface IImageAugmentation
{
    string Name { get; }

    /// <summary>A new augmented image of the same size; the input is never modified.</summary>
    RgbImage Apply(RgbImage image, ulong seed);
}
