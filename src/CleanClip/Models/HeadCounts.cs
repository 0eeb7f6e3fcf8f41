namespace CleanClip.Models;

/// <summary>
/// Attention head counts given by the user (<c>--text-heads</c>, <c>--vision-heads</c>) for an architecture whose
/// heads a state dict cannot tell: a null count keeps what the config or OpenAI's rule says.
/// </summary>
public sealed record HeadCounts(int? Text = null, int? Vision = null)
{
    public static HeadCounts None { get; } = new();

    public ClipConfig ApplyTo(ClipConfig config) =>
        Text is null && Vision is null ? config : config with { TextHeads = Text ?? config.TextHeads, VisionHeads = Vision ?? config.VisionHeads };
}
