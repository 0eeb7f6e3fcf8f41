namespace CleanClip.Text;

/// <summary>
/// GPT-2/CLIP byte-to-character map: printable Latin-1 bytes stand for themselves, the other 68 bytes for
/// U+0100.. in byte order, so every byte string is a string of visible characters.
/// </summary>
internal static class ByteLevelAlphabet
{
    /// <summary>Character of each byte value.</summary>
    public static readonly char[] ByteToChar = BuildByteToChar();

    /// <summary>The 256 characters in vocabulary order: the kept printable bytes first, then the remapped ones.</summary>
    public static readonly char[] VocabularyOrder = BuildVocabularyOrder();

    private static readonly Dictionary<char, byte> ByteOfChar =
        Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    /// <summary>The byte a character stands for; every vocabulary token is made of these characters only.</summary>
    public static byte CharToByte(char c) => ByteOfChar[c];

    private static bool IsKept(int b) => b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) map[b] = IsKept(b) ? (char)b : (char)next++;
        return map;
    }

    private static char[] BuildVocabularyOrder() =>
        Enumerable.Range(0, 256).Where(IsKept).Concat(Enumerable.Range(0, 256).Where(b => !IsKept(b)))
            .Select(b => ByteToChar[b]).ToArray();
}
