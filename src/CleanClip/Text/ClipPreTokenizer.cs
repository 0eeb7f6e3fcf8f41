using System.Globalization;
using System.Text;

namespace CleanClip.Text;

/// <summary>
/// CLIP's pre-tokenization, <c>&lt;\|startoftext\|&gt;|&lt;\|endoftext\|&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c>
/// with IGNORECASE, as Python's regex module runs it. Hand-written rather than a .NET Regex because .NET matches
/// UTF-16 units (a supplementary letter such as 𝐇 or 𠀀 would not be \p{L}) and because IGNORECASE lets 'ſ' match
/// 's' and makes U+0345 match no branch at all (the reference silently drops it).
/// Categories come from .NET's Unicode tables: the 5,004 code points assigned after Unicode 15.0 (e.g. Garay,
/// Kirat Rai) are letters/digits here but unassigned symbols to the reference's regex module; all others agree.
/// </summary>
internal static class ClipPreTokenizer
{
    private static readonly string[] Specials = [ClipTokenizer.StartOfTextToken, ClipTokenizer.EndOfTextToken];
    private static readonly string[] Contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    private enum Kind { Letter, Number, Space, Other, Unmatched }

    /// <summary>The (start, length) of each pre-token of already cleaned text.</summary>
    public static List<(int Start, int Length)> Split(string text)
    {
        var pieces = new List<(int, int)>();
        int i = 0;
        while (i < text.Length)
        {
            int literal = MatchLiteral(text, i);
            if (literal > 0) { pieces.Add((i, literal)); i += literal; continue; }
            var kind = Classify(text, i, out int width);
            switch (kind)
            {
                case Kind.Space or Kind.Unmatched:
                    i += width;
                    break;
                case Kind.Number:
                    pieces.Add((i, width));
                    i += width;
                    break;
                default:
                    int end = i + width;
                    while (end < text.Length && Classify(text, end, out int w) == kind) end += w;
                    pieces.Add((i, end - i));
                    i = end;
                    break;
            }
        }
        return pieces;
    }

    private static int MatchLiteral(string text, int i)
    {
        char c = text[i];
        if (c == '<')
            foreach (var special in Specials)
                if (MatchesIgnoreCase(text, i, special)) return special.Length;
        if (c == '\'')
            foreach (var contraction in Contractions)
                if (MatchesIgnoreCase(text, i, contraction)) return contraction.Length;
        return 0;
    }

    /// <summary>IGNORECASE equality with an ASCII literal: simple case folding adds only 'ſ' (U+017F) ~ 's'.</summary>
    private static bool MatchesIgnoreCase(string text, int at, string literal)
    {
        if (at + literal.Length > text.Length) return false;
        for (int k = 0; k < literal.Length; k++)
        {
            char t = text[at + k], l = literal[k];
            if (t == l || (char.IsAsciiLetter(l) && (t | 0x20) == l) || (l == 's' && t == 'ſ')) continue;
            return false;
        }
        return true;
    }

    private static Kind Classify(string text, int i, out int width)
    {
        char c = text[i];
        if (c < 0x80)
        {
            width = 1;
            return char.IsAsciiLetter(c) ? Kind.Letter : char.IsAsciiDigit(c) ? Kind.Number
                : char.IsWhiteSpace(c) ? Kind.Space : Kind.Other;
        }
        var rune = Rune.GetRuneAt(text, i);
        width = rune.Utf16SequenceLength;
        if (rune.Value == 0x345) return Kind.Unmatched;
        if (Rune.IsWhiteSpace(rune)) return Kind.Space;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Kind.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Kind.Number,
            _ => Kind.Other,
        };
    }
}
