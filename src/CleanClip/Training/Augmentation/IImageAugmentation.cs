using CleanClip.Data;

namespace CleanClip.Training.Augmentation;

/// <summary>
/// An image augmentation for CleanCLIP's in-modal (self-supervised) loss. <see cref="Apply"/> must be a pure function
/// of the image and the seed, and thread-safe: the trainer calls one instance from several decode threads, each item
/// with its own seed. The output has the input's size; the input (immutable anyway) may be returned as it is when
/// nothing was applied.
/// </summary>
public interface IImageAugmentation
{
    string Name { get; }

    RgbImage Apply(RgbImage image, ulong seed);
}
