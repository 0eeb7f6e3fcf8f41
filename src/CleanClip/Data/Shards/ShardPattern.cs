using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CleanClip.Data;

/// <summary>
/// WebDataset shard patterns as OpenCLIP's <c>--train-data</c> takes them: <c>::</c> separates patterns, and each
/// pattern is brace-expanded as webdataset's <c>braceexpand</c> package does it:
/// <list type="bullet">
/// <item>numeric ranges <c>{0..12}</c>, with zero padding kept when either end is written with a leading zero
/// (<c>{00000..00012}</c> gives <c>00000</c> … <c>00012</c>), an optional step (<c>{0..10..5}</c>), either direction;</item>
/// <item>letter ranges <c>{a..e}</c>;</item>
/// <item>comma lists <c>{a,b}</c>, empty items allowed (<c>x{,.bak}</c>), nested (<c>{a,b{1,2}}</c>);</item>
/// <item>several braces multiply, leftmost varying slowest; a brace with neither comma nor range (<c>{x}</c>, <c>{}</c>) stays as written;</item>
/// <item>a backslash makes the next character literal and is itself removed.</item>
/// </list>
/// Braces that do not pair up are an error naming the pattern (braceexpand raises too, except that it lets a stray
/// <c>}</c> pass when a later <c>{</c> happens to rebalance the count; here every <c>}</c> must close a <c>{</c>).
/// </summary>
public static partial class ShardPattern
{
    public const string ListSeparator = "::";

    /// <summary>A pattern may name at most this many shards: a mistyped range must fail, not fill the memory.</summary>
    public const int MaxPaths = 1_000_000;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>
    /// Whether a <c>--train-data</c> value names WebDataset shards rather than a CSV/TSV table: it ends in <c>.tar</c>,
    /// or it is not an existing file and holds a brace or a <c>::</c> list. (An existing table whose name has braces
    /// stays a table.)
    /// </summary>
    public static bool IsShardInput(string value) =>
        value.EndsWith(".tar", StringComparison.OrdinalIgnoreCase)
        || !File.Exists(value) && (value.Contains('{') || value.Contains(ListSeparator, StringComparison.Ordinal));

    /// <summary>
    /// <paramref name="patterns"/> with each <c>::</c>-separated pattern that is not rooted put under the current
    /// folder, so that a stored pattern (a training run's, for <c>--resume</c>) means the same shards from anywhere.
    /// The text is joined, not normalised: <c>..</c> inside a brace must reach the expansion as written.
    /// </summary>
    public static string Absolute(string patterns) =>
        string.Join(ListSeparator, patterns.Split(ListSeparator)
            .Select(p => p.Length == 0 || Path.IsPathRooted(p) ? p : Path.Join(Directory.GetCurrentDirectory(), p)));

    /// <summary>Whether two shard patterns, each taken from the current folder, name the same shard files in the same order.</summary>
    public static bool SameShards(string a, string b)
    {
        if (!IsShardInput(a) || !IsShardInput(b)) return false;
        try
        {
            return Expand(Absolute(a)).Select(Path.GetFullPath).SequenceEqual(Expand(Absolute(b)).Select(Path.GetFullPath));
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Every path <paramref name="patterns"/> names, in order: each <c>::</c>-separated pattern expanded in turn.</summary>
    /// <exception cref="ArgumentException">A pattern is empty, has unbalanced braces, or names more than <see cref="MaxPaths"/> paths.</exception>
    public static IReadOnlyList<string> Expand(string patterns)
    {
        var paths = new List<string>();
        foreach (var pattern in patterns.Split(ListSeparator))
        {
            if (pattern.Length == 0)
                throw new ArgumentException($"shard pattern '{patterns}': an empty pattern in the '{ListSeparator}' list");
            paths.AddRange(ExpandBraces(pattern));
            if (paths.Count > MaxPaths) throw TooMany(patterns);
        }
        return paths;
    }

    /// <summary>The brace expansion of one pattern (no <c>::</c> splitting), escapes removed.</summary>
    /// <exception cref="ArgumentException">Unbalanced braces, or more than <see cref="MaxPaths"/> paths.</exception>
    public static IReadOnlyList<string> ExpandBraces(string pattern) =>
        Pattern(pattern, pattern).Select(Unescape).ToList();

    // Expansions of `text` with escapes still in place: the literal runs and top-level brace groups of `text`,
    // multiplied out. `whole` is the user's pattern, for error messages.
    private static List<string> Pattern(string text, string whole)
    {
        var parts = new List<List<string>>();
        int start = 0, depth = 0;
        for (int pos = 0; pos < text.Length; pos++)
        {
            switch (text[pos])
            {
                case '\\':
                    pos++;   // the escaped character is literal, whatever it is
                    break;
                case '{':
                    if (depth == 0 && pos > start)
                    {
                        parts.Add([text[start..pos]]);
                        start = pos;
                    }
                    depth++;
                    break;
                case '}':
                    if (--depth < 0)
                        throw new ArgumentException($"shard pattern '{whole}': unbalanced braces: the '}}' at character {pos + 1} closes no '{{'");
                    if (depth > 0) break;
                    var inside = text[(start + 1)..pos];
                    if (Expression(inside, whole) is { } alternatives) parts.Add(alternatives);
                    else
                    {
                        // Neither a range nor a list: the braces are literal text, while braces inside them still expand.
                        parts.Add(["{"]);
                        parts.Add(Pattern(inside, whole));
                        parts.Add(["}"]);
                    }
                    start = pos + 1;
                    break;
            }
        }
        if (depth != 0) throw new ArgumentException($"shard pattern '{whole}': unbalanced braces: {depth} '{{' never closed");
        if (start < text.Length) parts.Add([text[start..]]);

        var results = new List<string> { "" };
        foreach (var part in parts)
        {
            if ((long)results.Count * part.Count > MaxPaths) throw TooMany(whole);
            results = results.SelectMany(prefix => part.Select(p => prefix + p)).ToList();
        }
        return results;
    }

    // The alternatives of a brace's contents: a numeric or letter range, a comma list, or null for neither.
    private static List<string>? Expression(string inside, string whole)
    {
        if (IntRange().Match(inside) is { Success: true } ints)
            return IntegerRange(ints.Groups[1].Value, ints.Groups[2].Value, ints.Groups[3].Value, whole);
        if (CharRange().Match(inside) is { Success: true } chars)
            return LetterRange(chars.Groups[1].Value[0], chars.Groups[2].Value[0], chars.Groups[3].Value, whole);
        return Sequence(inside, whole);
    }

    // A comma list: the items split at commas outside nested braces, each itself a pattern; null without a comma.
    private static List<string>? Sequence(string inside, string whole)
    {
        var items = new List<string>();
        int start = 0, depth = 0;
        for (int pos = 0; pos < inside.Length; pos++)
        {
            char c = inside[pos];
            if (c == '\\') pos++;
            else if (c == '{') depth++;
            else if (c == '}') depth--;
            else if (c == ',' && depth == 0)
            {
                items.Add(inside[start..pos]);
                start = pos + 1;
            }
        }
        if (items.Count == 0) return null;
        items.Add(inside[start..]);
        var results = new List<string>();
        foreach (var item in items)
        {
            results.AddRange(Pattern(item, whole));
            if (results.Count > MaxPaths) throw TooMany(whole);
        }
        return results;
    }

    private static List<string> IntegerRange(string left, string right, string step, string whole)
    {
        if (!long.TryParse(left, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var from)
            || !long.TryParse(right, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var to))
            throw new ArgumentException($"shard pattern '{whole}': the range {{{left}..{right}}} has an end too large for a number");
        // As braceexpand: an end written with a leading zero (other than a lone 0) pads every number to the wider end.
        bool padded = new[] { left, right }.Any(s => s is not ("0" or "-0") && (s.StartsWith('0') || s.StartsWith("-0", StringComparison.Ordinal)));
        int width = padded ? Math.Max(left.Length, right.Length) : 0;
        long increment = Step(step, whole);
        decimal span = Math.Abs((decimal)to - from);   // decimal: the ends of a long range may be a long's width apart
        if (span / increment + 1 > MaxPaths) throw TooMany(whole);
        long count = (long)(span / increment) + 1;
        var numbers = new List<string>((int)count);
        long direction = from <= to ? increment : -increment;
        for (long i = 0, n = from; i < count; i++, n += direction) numbers.Add(Padded(n, width));
        return numbers;
    }

    private static List<string> LetterRange(char left, char right, string step, string whole)
    {
        int from = Alphabet.IndexOf(left), to = Alphabet.IndexOf(right);
        int increment = (int)Math.Min(Step(step, whole), Alphabet.Length);
        var letters = new List<string>();
        if (from <= to)
            for (int i = from; i <= to; i += increment) letters.Add(Alphabet[i].ToString());
        else
            for (int i = from; i >= to; i -= increment) letters.Add(Alphabet[i].ToString());
        return letters;
    }

    // The step of a range: absent or 0 means 1, and its sign is ignored (the direction comes from the ends).
    private static long Step(string step, string whole)
    {
        if (step.Length == 0) return 1;
        if (!long.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw new ArgumentException($"shard pattern '{whole}': the range step {step} is too large");
        return value == 0 ? 1 : value;
    }

    // printf's %0Nd: the sign counts towards the width.
    private static string Padded(long n, int width)
    {
        var digits = Math.Abs((decimal)n).ToString(CultureInfo.InvariantCulture);
        return n < 0 ? "-" + digits.PadLeft(Math.Max(0, width - 1), '0') : digits.PadLeft(width, '0');
    }

    private static string Unescape(string text)
    {
        if (!text.Contains('\\')) return text;
        var result = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            // A backslash followed by any character but a newline stands for that character, as braceexpand's `\\(.)`.
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] != '\n') i++;
            result.Append(text[i]);
        }
        return result.ToString();
    }

    private static ArgumentException TooMany(string whole) =>
        new($"shard pattern '{whole}' names more than {MaxPaths:N0} paths; check its ranges");

    [GeneratedRegex(@"^(-?[0-9]+)\.\.(-?[0-9]+)(?:\.\.-?([0-9]+))?$")]
    private static partial Regex IntRange();

    [GeneratedRegex(@"^([A-Za-z])\.\.([A-Za-z])(?:\.\.-?([0-9]+))?$")]
    private static partial Regex CharRange();
}
