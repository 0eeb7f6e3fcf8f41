namespace CleanClip.Tests;

/// <summary>
/// The trait that splits the suite: tests that train, run the demo or start child processes carry
/// <c>[Trait(TestSpeed.Trait, TestSpeed.Slow)]</c>, and <c>dotnet test CleanClip.sln --filter "Speed!=Slow"</c> runs the rest
/// in a few minutes.
/// </summary>
public static class TestSpeed
{
    public const string Trait = "Speed";
    public const string Slow = "Slow";
}
