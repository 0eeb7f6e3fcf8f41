using System.Globalization;
using System.Text;

namespace CleanClip.Data;

/// <summary>
/// Reads the reference's <c>classes.py</c>, a Python dict literal that the reference runs through <c>eval</c>, without
/// evaluating anything: <c>{"classes": ["tench", ...], "superclasses": [[...], ...], "templates": [lambda s: f"a photo of a {s}.", ...]}</c>.
/// Understood: dicts, lists, tuples, strings in single or double quotes (escapes, r/u prefixes, adjacent strings joined),
/// numbers, True/False/None, <c>#</c> comments and trailing commas; a template is <c>lambda p: f"...{p}..."</c>, whose
/// <c>{p}</c> becomes the <c>{}</c> of <see cref="ClassesFile"/>, or a plain string that already holds <c>{}</c>.
/// Keys other than "classes" and "templates" are read and ignored. Anything else is an error naming the line.
/// </summary>
internal sealed class PythonClassesLiteral
{
    private abstract record Value(int Line);
    private sealed record Str(string Text, int Line) : Value(Line);
    private sealed record Template(string Text, int Line) : Value(Line);
    private sealed record Sequence(List<Value> Items, int Line) : Value(Line);
    private sealed record Dict(Dictionary<string, Value> Entries, int Line) : Value(Line);
    private sealed record Other(string Kind, int Line) : Value(Line);

    private readonly string _text;
    private readonly string _path;
    private int _pos;
    private int _line = 1;

    private PythonClassesLiteral(string text, string path) => (_text, _path) = (text, path);

    /// <returns>The class names, and the templates with <c>{}</c> for the class (null when the file has none).</returns>
    /// <exception cref="InvalidDataException">Not this literal subset, or "classes"/"templates" of the wrong shape.</exception>
    public static (List<string> Classes, List<string>? Templates) Parse(string text, string path)
    {
        var parser = new PythonClassesLiteral(text, path);
        parser.SkipSpace();
        var root = parser.ParseValue(lambdaParameter: null);
        parser.SkipSpace();
        if (parser._pos < text.Length) throw parser.Error("expected the end of the file after the dict literal");
        if (root is not Dict dict) throw parser.Error("expected the file to be one dict literal {\"classes\": [...], \"templates\": [...]}", root.Line);

        if (!dict.Entries.TryGetValue("classes", out var classes) || classes is not Sequence classList)
            throw parser.Error("expected a \"classes\" list of strings", classes?.Line ?? root.Line);
        var names = classList.Items.Select((item, i) => item is Str s ? s.Text
            : throw parser.Error($"\"classes\"[{i}] must be a string, found {Describe(item)}", item.Line)).ToList();
        if (!dict.Entries.TryGetValue("templates", out var templates)) return (names, null);
        if (templates is not Sequence templateList)
            throw parser.Error("\"templates\" must be a list of lambda s: f\"...{s}...\" templates", templates.Line);
        var prompts = templateList.Items.Select((item, i) => item switch
        {
            Template t => t.Text,
            Str s => s.Text,
            _ => throw parser.Error($"\"templates\"[{i}] must be a lambda s: f\"...{{s}}...\" or a string with {{}}, found {Describe(item)}", item.Line),
        }).ToList();
        return (names, prompts);
    }

    private Value ParseValue(string? lambdaParameter)
    {
        int line = _line;
        if (_pos >= _text.Length) throw Error("unexpected end of file, expected a value");
        char c = _text[_pos];
        if (c == '{') return ParseDict();
        if (c == '[' || c == '(') return ParseSequence();
        if (c is '"' or '\'') return ParseStrings(prefix: "", lambdaParameter);
        if (char.IsAsciiDigit(c) || c is '-' or '+' or '.') return ParseNumber();
        if (!char.IsAsciiLetter(c) && c != '_') throw Error($"unexpected '{c}', expected a value");
        var name = ReadName();
        if (_pos < _text.Length && _text[_pos] is '"' or '\'') return ParseStrings(name, lambdaParameter);
        return name switch
        {
            "lambda" => ParseLambda(line),
            "True" or "False" or "None" => new Other(name, line),
            _ => throw Error($"'{name}' is not a literal: only literals are read from this file, nothing is evaluated", line),
        };
    }

    private Dict ParseDict()
    {
        int line = _line;
        var entries = new Dictionary<string, Value>(StringComparer.Ordinal);
        foreach (var (key, value) in Items('{', '}', out _, () =>
        {
            var key = ParseValue(lambdaParameter: null);
            SkipSpace();
            Expect(':');
            SkipSpace();
            return (key, ParseValue(lambdaParameter: null));
        }))
        {
            // Python keeps the last of repeated keys; so do we.
            entries[key is Str s ? s.Text : throw Error($"dict keys must be strings, found {Describe(key)}", key.Line)] = value;
        }
        return new Dict(entries, line);
    }

    private Value ParseSequence()
    {
        int line = _line;
        char open = _text[_pos];
        var items = Items(open, open == '[' ? ']' : ')', out bool commas, () => ParseValue(lambdaParameter: null));
        // ("a" "b") without a comma is a parenthesised string, not a one-element tuple.
        return open == '(' && items.Count == 1 && !commas ? items[0] : new Sequence(items, line);
    }

    /// <summary>Comma-separated items between brackets, a trailing comma allowed.</summary>
    private List<T> Items<T>(char open, char close, out bool commas, Func<T> item)
    {
        Expect(open);
        var items = new List<T>();
        commas = false;
        while (true)
        {
            SkipSpace();
            if (TryTake(close)) return items;
            items.Add(item());
            SkipSpace();
            if (TryTake(close)) return items;
            Expect(',');
            commas = true;
        }
    }

    private Template ParseLambda(int line)
    {
        SkipSpace();
        if (_pos >= _text.Length || !char.IsAsciiLetter(_text[_pos]) && _text[_pos] != '_')
            throw Error("expected lambda with one parameter, as in lambda s: f\"a photo of a {s}.\"");
        var parameter = ReadName();
        SkipSpace();
        Expect(':');
        SkipSpace();
        var body = ParseValue(parameter);
        return body is Template t ? t
            : throw Error($"a template lambda must return an f-string using {{{parameter}}}, found {Describe(body)}", body.Line);
    }

    /// <summary>One string or several adjacent ones, joined as Python joins them; a template when any part is an f-string.</summary>
    private Value ParseStrings(string prefix, string? lambdaParameter)
    {
        int line = _line;
        var text = new StringBuilder();
        bool formatted = false;
        while (true)
        {
            var flags = prefix.ToLowerInvariant();
            if (flags is not ("" or "r" or "u" or "f" or "rf" or "fr"))
                throw Error($"string prefix '{prefix}' is not supported (bytes and others have no place in a classes file)");
            bool isF = flags.Contains('f');
            if (isF && lambdaParameter is null) throw Error("an f-string is only understood as the body of a template lambda");
            ReadString(text, raw: flags.Contains('r'), isF ? lambdaParameter : null);
            formatted |= isF;
            SkipSpace();
            int save = _pos;
            prefix = _pos < _text.Length && char.IsAsciiLetter(_text[_pos]) ? ReadName() : "";
            if (_pos < _text.Length && _text[_pos] is '"' or '\'') continue;
            _pos = save;
            return formatted ? new Template(text.ToString(), line) : new Str(text.ToString(), line);
        }
    }

    private void ReadString(StringBuilder text, bool raw, string? formatParameter)
    {
        char quote = _text[_pos];
        if (_text.AsSpan(_pos).StartsWith(new string(quote, 3))) throw Error("triple-quoted strings are not supported");
        _pos++;
        while (true)
        {
            if (_pos >= _text.Length || _text[_pos] == '\n') throw Error($"string not closed: missing {quote}");
            char c = _text[_pos++];
            if (c == quote) return;
            if (c == '\\' && _pos < _text.Length)
            {
                if (raw) text.Append('\\').Append(_text[_pos++]);
                else Escape(text);
            }
            else if (formatParameter is not null && c is '{' or '}') Placeholder(text, c, formatParameter);
            else text.Append(c);
        }
    }

    /// <summary>In a template f-string only <c>{parameter}</c> may stand in braces; it becomes <c>{}</c>.</summary>
    private void Placeholder(StringBuilder text, char brace, string parameter)
    {
        int close = _text.IndexOf('}', _pos);
        var inside = brace == '{' && close >= 0 ? _text[_pos..close].Trim() : null;
        if (inside != parameter)
            throw Error($"only {{{parameter}}} is understood inside a template f-string (no expressions, no literal braces)");
        text.Append("{}");
        _pos = close + 1;
    }

    private void Escape(StringBuilder text)
    {
        char c = _text[_pos++];
        switch (c)
        {
            case '\n': _line++; break; // a backslash at the end of a line continues the string
            case '\r':
                TryTake('\n');
                _line++;
                break;
            case 'n': text.Append('\n'); break;
            case 't': text.Append('\t'); break;
            case 'r': text.Append('\r'); break;
            case 'a': text.Append('\a'); break;
            case 'b': text.Append('\b'); break;
            case 'f': text.Append('\f'); break;
            case 'v': text.Append('\v'); break;
            case '\\' or '\'' or '"': text.Append(c); break;
            case 'x': text.Append((char)Hex(2)); break;
            case 'u': text.Append((char)Hex(4)); break;
            case 'U': text.Append(char.ConvertFromUtf32(Hex(8))); break;
            case >= '0' and <= '7':
                int value = c - '0';
                for (int i = 0; i < 2 && _pos < _text.Length && _text[_pos] is >= '0' and <= '7'; i++) value = value * 8 + _text[_pos++] - '0';
                text.Append((char)value);
                break;
            case 'N': throw Error("\\N{...} escapes are not supported");
            default: text.Append('\\').Append(c); break; // Python keeps unknown escapes as written
        }
    }

    private int Hex(int digits)
    {
        if (_pos + digits > _text.Length || !int.TryParse(_text.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int value))
            throw Error($"bad escape: expected {digits} hex digits");
        _pos += digits;
        return value;
    }

    private Other ParseNumber()
    {
        int line = _line, start = _pos;
        if (_text[_pos] is '-' or '+') _pos++;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '.' or '_'
               || _text[_pos] is '-' or '+' && _text[_pos - 1] is 'e' or 'E'))
            _pos++;
        var token = _text[start.._pos];
        return double.TryParse(token.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out _) || token.StartsWith("0x")
            ? new Other("number", line) : throw Error($"'{token}' is not a number", line);
    }

    private string ReadName()
    {
        int start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_')) _pos++;
        return _text[start.._pos];
    }

    /// <summary>Whitespace, newlines (free inside brackets), backslash continuations and <c>#</c> comments.</summary>
    private void SkipSpace()
    {
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (c == '\n') _line++;
            if (c == '#')
                while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
            else if (char.IsWhiteSpace(c) || c == '\\' && _pos + 1 < _text.Length && _text[_pos + 1] is '\n' or '\r') _pos++;
            else return;
        }
    }

    private bool TryTake(char c)
    {
        if (_pos >= _text.Length || _text[_pos] != c) return false;
        _pos++;
        return true;
    }

    private void Expect(char c)
    {
        if (TryTake(c)) return;
        var found = _pos < _text.Length ? $"'{_text[_pos]}'" : "the end of the file";
        throw Error($"expected '{c}', found {found}");
    }

    private static string Describe(Value value) => value switch
    {
        Str => "a string",
        Template => "a lambda",
        Sequence => "a list",
        Dict => "a dict",
        Other o => o.Kind,
        _ => "a value",
    };

    private InvalidDataException Error(string message, int? line = null) =>
        new($"{_path}: line {line ?? _line}: {message}");
}
