using System.Globalization;

namespace DemoRecipe;

/// <summary>`--key value` arguments with defaults read where they are used; every value read is recorded for the log.</summary>
public sealed class Knobs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    public SortedDictionary<string, string> Used { get; } = new(StringComparer.Ordinal);

    public Knobs(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"expected --key value pairs, got '{args[i]}'");
            _values[args[i][2..]] = args[++i];
        }
    }

    public string Str(string key, string fallback) => Use(key, _values.GetValueOrDefault(key, fallback));
    public int Int(string key, int fallback) => int.Parse(Str(key, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
    public double Dbl(string key, double fallback) => double.Parse(Str(key, fallback.ToString("R", CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
    public bool Bool(string key, bool fallback) => bool.Parse(Str(key, fallback.ToString()));

    private string Use(string key, string value)
    {
        Used[key] = value;
        return value;
    }

    public string Describe() => string.Join(" ", Used.Select(kv => $"{kv.Key}={kv.Value}"));
}
