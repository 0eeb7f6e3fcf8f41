using CleanClip.Text;
using Xunit;

namespace CleanClip.Tests.Text;

/// <summary>Python behaviour (html.unescape, str.strip, regex \s, str.lower) pinned without needing the vocab.</summary>
public class TextCleanerTests
{
    [Theory]
    [InlineData("&amp;", "&")]
    [InlineData("&amp;amp;", "&")]
    [InlineData("&amp;amp;amp;", "&amp;")]
    [InlineData("fish &amp chips", "fish & chips")]
    [InlineData("caf&eacute", "café")]
    [InlineData("&ampxyz;", "&xyz;")]
    [InlineData("&notit;", "¬it;")]
    [InlineData("&#39;&#x27;&#X27", "'''")]
    [InlineData("&#128;&#150;", "€–")]
    [InlineData("&#0;&#xD800;&#99999999999999999999;", "\uFFFD\uFFFD\uFFFD")]
    [InlineData("a&#1;b&#xFFFF;c", "abc")]
    [InlineData("&; &#; &#x; &bogus; AT&T", "&; &#; &#x; &bogus; at&t")]
    [InlineData("&NotEqualTilde;", "\u2242\u0338")]
    public void HtmlIsUnescapedTwiceLikePython(string raw, string clean) => Assert.Equal(clean, TextCleaner.Clean(raw));

    [Theory]
    [InlineData("  Two\t\tDOGS\r\n in\u00a0the\u3000snow  ", "two dogs in the snow")]
    [InlineData("\u001cfile sep\u001f", "file sep")]        // str.strip knows U+001C..U+001F, \s does not
    [InlineData("a\u001cb", "a\u001cb")]
    [InlineData("zero\u200bwidth", "zero\u200bwidth")]       // not whitespace in Unicode
    [InlineData("&ThickSpace;x&nbsp;&nbsp;y", "x y")]
    [InlineData("", "")]
    public void WhitespaceIsStrippedAndCollapsed(string raw, string clean) => Assert.Equal(clean, TextCleaner.Clean(raw));

    [Theory]
    [InlineData("ΟΔΟΣ ΑΘΗΝΑΣ", "οδος αθηνας")]
    [InlineData("ΣΑΣ Σ AΣ' ΑΣ\u0345b", "σας σ aς' ασ\u0345b")]
    [InlineData("İstanbul", "i\u0307stanbul")]
    [InlineData("STRASSE ẞ ǅ", "strasse ß ǆ")]
    [InlineData("\U0001D407\U00010400", "\U0001D407\U00010428")] // math bold stays, Deseret lowercases
    public void LowercaseIsPythonStrLower(string raw, string clean) => Assert.Equal(clean, TextCleaner.Clean(raw));

    [Fact]
    public void LoneSurrogatesBecomeReplacementCharacters() =>
        Assert.Equal("a\uFFFDb\uFFFD", TextCleaner.Clean("a\uD800b\uDC00"));
}
