using System.Globalization;
using System.Text;

namespace CleanClip.Text;

/// <summary>
/// The CLIP reference text cleaning, with Python's exact semantics: ftfy (not available; the reference run without
/// it is the identity), html.unescape twice, str.strip, regex <c>\s+</c> → ' ', str.strip, str.lower.
/// </summary>
public static class TextCleaner
{
    public static string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Python strings cannot hold lone surrogates (the reference would fail to UTF-8 encode them); map them to
        // U+FFFD so that a broken caption still tokenizes.
        text = ReplaceLoneSurrogates(text);
        text = HtmlUnescaper.Unescape(HtmlUnescaper.Unescape(text));
        text = PythonStrip(text);
        text = CollapseWhitespace(text);
        return PythonLower(PythonStrip(text));
    }

    /// <summary>The set of the regex module's <c>\s</c>, which is exactly .NET's <see cref="char.IsWhiteSpace(char)"/>.</summary>
    internal static bool IsRegexSpace(char c) => char.IsWhiteSpace(c);

    /// <summary>Python's str.isspace also counts the information separators U+001C..U+001F.</summary>
    private static bool IsPythonSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';

    private static string PythonStrip(string s)
    {
        int start = 0, end = s.Length;
        while (start < end && IsPythonSpace(s[start])) start++;
        while (end > start && IsPythonSpace(s[end - 1])) end--;
        return start == 0 && end == s.Length ? s : s.Substring(start, end - start);
    }

    private static string CollapseWhitespace(string s)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < s.Length; i++)
        {
            if (!IsRegexSpace(s[i])) { sb?.Append(s[i]); continue; }
            int run = i;
            while (run + 1 < s.Length && IsRegexSpace(s[run + 1])) run++;
            if (sb is null)
            {
                if (run == i && s[i] == ' ') continue; // already clean
                sb = new StringBuilder(s.Length).Append(s, 0, i);
            }
            sb.Append(' ');
            i = run;
        }
        return sb?.ToString() ?? s;
    }

    private static string ReplaceLoneSurrogates(string s)
    {
        char[]? copy = null;
        for (int i = 0; i < s.Length; i++)
        {
            if (!char.IsSurrogate(s[i])) continue;
            if (char.IsSurrogatePair(s, i)) { i++; continue; }
            copy ??= s.ToCharArray();
            copy[i] = '\uFFFD';
        }
        return copy is null ? s : new string(copy);
    }

    /// <summary>
    /// Python's str.lower: full lowercase mapping. It differs from ToLowerInvariant only in İ (U+0130 → "i̇") and in
    /// the context-dependent final sigma (Σ → ς at the end of a word); checked over every code point Python 3.11 knows.
    /// </summary>
    internal static string PythonLower(string s)
    {
        if (Ascii.IsValid(s)) return s.ToLowerInvariant();
        var sb = new StringBuilder(s.Length + 4);
        for (int i = 0; i < s.Length;)
        {
            var rune = Rune.GetRuneAt(s, i);
            if (rune.Value == 0x130) sb.Append("i\u0307");
            else if (rune.Value == 0x3A3) sb.Append(IsFinalSigma(s, i) ? 'ς' : 'σ');
            else sb.Append(Rune.ToLowerInvariant(rune).ToString());
            i += rune.Utf16SequenceLength;
        }
        return sb.ToString();
    }

    /// <summary>Unicode Final_Sigma: a cased letter before (skipping case-ignorables) and none after.</summary>
    private static bool IsFinalSigma(string s, int index)
    {
        int j = index;
        Rune before = default;
        bool found = false;
        while (j > 0 && Rune.DecodeLastFromUtf16(s.AsSpan(0, j), out before, out int n) == System.Buffers.OperationStatus.Done)
        {
            j -= n;
            if (!CaseProperties.IsCaseIgnorable(before.Value)) { found = true; break; }
        }
        if (!found || !CaseProperties.IsCased(before.Value)) return false;
        for (int k = index + 1; k < s.Length;)
        {
            var after = Rune.GetRuneAt(s, k);
            if (!CaseProperties.IsCaseIgnorable(after.Value)) return !CaseProperties.IsCased(after.Value);
            k += after.Utf16SequenceLength;
        }
        return true;
    }
}

/// <summary>The Unicode Cased and Case_Ignorable properties that Python's final-sigma rule uses (.NET has no API).</summary>
internal static class CaseProperties
{
    public static bool IsCaseIgnorable(int c)
    {
        var category = Rune.GetUnicodeCategory(new Rune(c));
        if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol)
            return true;
        // Word_Break MidLetter, MidNumLet and Single_Quote; U+1171E is an Ahom mark that is Mc but ignorable.
        return c is '\'' or '.' or ':' or 0xB7 or 0x387 or 0x55F or 0x5F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027
            or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A or 0x1171E;
    }

    public static bool IsCased(int c)
    {
        var rune = new Rune(c);
        if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.TitlecaseLetter)
            return true;
        // Other_Lowercase/Other_Uppercase: ª º and the squared/circled Latin capitals have no case mapping.
        return c is 0xAA or 0xBA or >= 0x1F130 and <= 0x1F149 or >= 0x1F150 and <= 0x1F169 or >= 0x1F170 and <= 0x1F189
            || Rune.ToLowerInvariant(rune) != rune || Rune.ToUpperInvariant(rune) != rune;
    }
}
