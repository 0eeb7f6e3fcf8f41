using System.Text;

namespace CleanClip.Text;

/// <summary>
/// A port of Python's <c>html.unescape</c>, which the CLIP reference applies twice. WebUtility.HtmlDecode differs:
/// it knows only HTML4 names and ignores references without ';' (<c>&amp;amp</c>, <c>&amp;eacute</c>, <c>&amp;#39</c>),
/// and it maps <c>&amp;#128;</c> to U+0080 where HTML5 and Python give '€'.
/// </summary>
internal static class HtmlUnescaper
{
    private const int MaxNameCodePoints = 32; // Python: [^\t\n\f <&#;]{1,32};?

    private static readonly Dictionary<string, string> Named = ParseEntries();

    public static string Unescape(string s)
    {
        int amp = s.IndexOf('&');
        if (amp < 0) return s;
        var sb = new StringBuilder(s.Length);
        int i = 0;
        while (amp >= 0)
        {
            sb.Append(s, i, amp - i);
            i = ReplaceReference(s, amp + 1, sb);
            amp = s.IndexOf('&', i);
        }
        sb.Append(s, i, s.Length - i);
        return sb.ToString();
    }

    /// <summary>Appends the replacement of the reference starting after '&amp;' at <paramref name="p"/>; returns the index after it.</summary>
    private static int ReplaceReference(string s, int p, StringBuilder sb)
    {
        if (p < s.Length && s[p] == '#')
        {
            bool hex = p + 1 < s.Length && (s[p + 1] == 'x' || s[p + 1] == 'X');
            int start = hex ? p + 2 : p + 1, end = start;
            long value = 0;
            while (end < s.Length && (hex ? char.IsAsciiHexDigit(s[end]) : char.IsAsciiDigit(s[end])))
            {
                // Saturate: Python's int is unbounded and anything above U+10FFFF becomes U+FFFD anyway.
                value = Math.Min(value * (hex ? 16 : 10) + DigitValue(s[end]), 0x110000);
                end++;
            }
            if (end == start) { sb.Append('&'); return p; }
            if (end < s.Length && s[end] == ';') end++;
            sb.Append(NumericReplacement((int)value));
            return end;
        }

        int j = p, codePoints = 0;
        while (j < s.Length && codePoints < MaxNameCodePoints && s[j] is not ('\t' or '\n' or '\f' or ' ' or '<' or '&' or '#' or ';'))
        {
            j += char.IsSurrogatePair(s, j) ? 2 : 1;
            codePoints++;
        }
        if (j == p) { sb.Append('&'); return p; }
        if (j < s.Length && s[j] == ';') j++;
        string name = s.Substring(p, j - p);
        if (Named.TryGetValue(name, out var full)) { sb.Append(full); return j; }
        // HTML5 "longest matching name": legacy entities work without ';' even when letters follow (&ampxyz -> &xyz).
        for (int x = name.Length - 1; x > 1; x--)
        {
            if (Named.TryGetValue(name.Substring(0, x), out var prefix))
            {
                sb.Append(prefix).Append(name, x, name.Length - x);
                return j;
            }
        }
        sb.Append('&').Append(name);
        return j;
    }

    private static int DigitValue(char c) => char.IsAsciiDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;

    private static string NumericReplacement(int n)
    {
        if (n == 0) return "\uFFFD";
        if (n == 13) return "\r";
        if (n is >= 0x80 and <= 0x9F) return HtmlEntityTable.C1Replacements[n - 0x80].ToString();
        if (n is >= 0xD800 and <= 0xDFFF or > 0x10FFFF) return "\uFFFD";
        bool invalid = n is >= 1 and <= 8 or 0xB or >= 0xE and <= 0x1F or 0x7F or >= 0xFDD0 and <= 0xFDEF
                       || (n & 0xFFFE) == 0xFFFE;
        return invalid ? "" : char.ConvertFromUtf32(n);
    }

    private static Dictionary<string, string> ParseEntries()
    {
        var table = new Dictionary<string, string>(2300, StringComparer.Ordinal);
        foreach (var entry in HtmlEntityTable.Entries.Split('\u0002', StringSplitOptions.RemoveEmptyEntries))
        {
            int sep = entry.IndexOf('\u0001');
            table[entry[..sep]] = entry[(sep + 1)..];
        }
        return table;
    }
}
