namespace CleanClip.Poisoning;

/// <summary>
/// The two float ↔ uint8 steps of the reference's <c>apply_trigger</c>: torchvision's ToTensor (<c>b / 255</c> in
/// float32) and ToPILImage (<c>x.mul(255).byte()</c>). All arithmetic is float32, as in PyTorch, so blends land on
/// the same side of each truncation boundary as the reference.
/// </summary>
public static class PixelCast
{
    /// <summary>ToTensor: the byte divided by 255 in float32.</summary>
    public static float ToUnit(byte value) => value / 255f;

    /// <summary>
    /// ToPILImage's cast of <c>v * 255</c> (float32). ToPILImage truncates, it does not round, so 0.999 → 254.
    /// <see cref="NoiseOverflow.Wrap"/>: PyTorch's float→uint8 cast goes through int64 (truncation toward zero) and
    /// keeps the low 8 bits, so 1.3 → 331 → 75 and −0.2 → −51 → 205: the reference BadNet patch.
    /// <see cref="NoiseOverflow.Clamp"/>: clamp to [0, 1] first, so 1.3 → 255 and −0.2 → 0.
    /// </summary>
    public static byte ToByte(float v, NoiseOverflow overflow) => overflow switch
    {
        NoiseOverflow.Wrap => (byte)((long)(v * 255f) & 0xFF),
        _ => ToByteClamped(v),
    };

    /// <summary>Clamp to [0, 1] (NaN → 0), then truncate <c>v * 255</c>.</summary>
    public static byte ToByteClamped(float v) => (byte)(Math.Clamp(float.IsNaN(v) ? 0f : v, 0f, 1f) * 255f);
}
