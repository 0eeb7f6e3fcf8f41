namespace CleanClip.Data.Pickle;

/// <summary>An allowed global that stands for a function or type; only the unpickler's host gives it meaning.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
}

/// <summary>Names of the values a restricted unpickler builds, for error messages.</summary>
internal static class PickleValues
{
    /// <summary>What <paramref name="value"/> is, in Python's words where it is a Python value.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "None",
        PickleGlobal g => $"global '{g.FullName}'",
        object?[] => "tuple",
        List<object?> => "list",
        Dictionary<object, object?> => "dict",
        _ => value.GetType().Name,
    };
}
