namespace CleanClip.Tests.Training.Logging;

/// <summary>A clock that always says the same time, so event files have known names and wall times.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public static FixedTime AtUnixMilliseconds(long ms) => new(DateTimeOffset.FromUnixTimeMilliseconds(ms));

    public override DateTimeOffset GetUtcNow() => now;
}
