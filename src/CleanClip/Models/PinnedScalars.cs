using TorchSharp;

namespace CleanClip.Models;

/// <summary>
/// Constant operands of hot tensor ops, held for the life of the process. TorchSharp 0.107 turns a literal operand
/// (<c>x / 2</c>) into a <see cref="Scalar"/> that nothing keeps alive during the native call, so a garbage
/// collection on another thread can finalize it mid-call (see <see cref="BatchNorm2d"/>); a static one never is.
/// Values that change per call use <c>using var s = value.ToScalar()</c> instead.
/// </summary>
public static class PinnedScalars
{
    public static readonly Scalar Zero = 0.ToScalar();
    public static readonly Scalar Two = 2.ToScalar();
    /// <summary>An int64 one, for integer counters.</summary>
    public static readonly Scalar OneLong = 1L.ToScalar();
}
