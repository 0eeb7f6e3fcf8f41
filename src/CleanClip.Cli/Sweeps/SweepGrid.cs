using System.Text.Json;

namespace CleanClip.Cli.Sweeps;

/// <summary>One value of a varied option: the arguments it adds after the option name (none for null: the option is left out).</summary>
/// <param name="Tokens">The arguments: one for a number, string or boolean, several for a list, none for null.</param>
/// <param name="Text">How the value reads in a point's name and in sweep.json.</param>
public sealed record GridValue(IReadOnlyList<string> Tokens, string Text)
{
    public bool Omitted => Tokens.Count == 0;
}

/// <summary>A varied option and the values it takes, in the grid's order.</summary>
public sealed record GridAxis(string Option, IReadOnlyList<GridValue> Values);

/// <summary>
/// A sweep's grid file (docs/sweep.md): <c>command</c>, a cleanclip subcommand and its fixed arguments, and
/// <c>vary</c>, each option to vary with its list of values. Every combination of values (the cartesian product, the
/// first option varying slowest) is one point. Only the file's shape is checked here; <see cref="SweepPlan"/> checks the
/// command and options against the CLI's real definitions.
/// </summary>
public sealed record SweepGrid(string File, IReadOnlyList<string> Command, IReadOnlyList<GridAxis> Vary)
{
    public static readonly IReadOnlyList<string> Keys = ["command", "vary"];

    /// <exception cref="ArgumentException">The file is not a grid; the message is one line naming the key or value.</exception>
    public static SweepGrid Load(string path)
    {
        if (!System.IO.File.Exists(path)) throw new ArgumentException($"--grid {path}: no such file");
        string text;
        try { text = System.IO.File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ArgumentException($"--grid {path}: {e.Message}", e); }
        return Parse(text, path);
    }

    public static SweepGrid Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            // The parser's message ends with its own position ("LineNumber: 0 | BytePositionInLine: 48."): said once, 1-based.
            var reason = e.Message.Split(" LineNumber:")[0];
            throw new ArgumentException($"{source}: not JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {reason}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new ArgumentException($"{source}: a grid is a JSON object with {Quoted(Keys)}");
            foreach (var property in root.EnumerateObject())
                if (!Keys.Contains(property.Name))
                    throw new ArgumentException($"{source}: unknown key '{property.Name}' (a grid has {Quoted(Keys)})");
            if (!root.TryGetProperty("command", out var command))
                throw new ArgumentException($"{source}: no 'command' (the cleanclip subcommand and its fixed arguments, e.g. [\"train\", \"--epochs\", \"4\"])");
            if (!root.TryGetProperty("vary", out var vary))
                throw new ArgumentException($"{source}: no 'vary' (each option to vary with its values, e.g. {{\"--lr\": [1e-4, 1e-3]}})");
            return new SweepGrid(source, ReadCommand(command, source), ReadVary(vary, source));
        }
    }

    /// <summary>The number of points: the product of the value counts.</summary>
    public long PointCount => Vary.Aggregate(1L, (n, axis) => n * axis.Values.Count);

    private static List<string> ReadCommand(JsonElement command, string source)
    {
        List<string> arguments;
        if (command.ValueKind == JsonValueKind.String)
        {
            var text = command.GetString()!;
            // A string is split at white space only; quoting rules would be a second, surprising shell.
            if (text.IndexOfAny(['"', '\'', '\\']) >= 0)
                throw new ArgumentException($"{source}: 'command' holds quotes or backslashes, which are not interpreted; give it as a JSON array of arguments");
            arguments = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToList();
        }
        else if (command.ValueKind == JsonValueKind.Array)
        {
            arguments = [];
            foreach (var item in command.EnumerateArray())
            {
                if (item.ValueKind is JsonValueKind.String) arguments.Add(item.GetString()!);
                else if (item.ValueKind is JsonValueKind.Number) arguments.Add(item.GetRawText());
                else throw new ArgumentException($"{source}: 'command' holds {item.GetRawText()}; its arguments are strings (or numbers)");
            }
        }
        else
        {
            throw new ArgumentException($"{source}: 'command' is {command.ValueKind.ToString().ToLowerInvariant()}; give a string or an array of arguments");
        }
        // A leading "cleanclip" is the program's name, as the command reads in the documents.
        if (arguments.Count > 0 && arguments[0] == "cleanclip") arguments.RemoveAt(0);
        if (arguments.Count == 0) throw new ArgumentException($"{source}: 'command' is empty; it starts with a cleanclip subcommand such as train or clean");
        foreach (var argument in arguments) CheckArgument(argument, source, "'command'");
        return arguments;
    }

    private static List<GridAxis> ReadVary(JsonElement vary, string source)
    {
        if (vary.ValueKind != JsonValueKind.Object)
            throw new ArgumentException($"{source}: 'vary' is {vary.ValueKind.ToString().ToLowerInvariant()}; it is an object of option → list of values");
        var axes = new List<GridAxis>();
        foreach (var property in vary.EnumerateObject())
        {
            var option = property.Name;
            if (!option.StartsWith("--", StringComparison.Ordinal) || option.Length < 3)
                throw new ArgumentException($"{source}: 'vary' key '{option}' is not an option; name it as on the command line, e.g. \"--lr\"");
            if (axes.Any(a => a.Option == option))
                throw new ArgumentException($"{source}: 'vary' names {option} twice");
            if (property.Value.ValueKind != JsonValueKind.Array)
                throw new ArgumentException($"{source}: 'vary' {option} is not a list of values; write [{property.Value.GetRawText()}] for one value");
            var values = new List<GridValue>();
            foreach (var item in property.Value.EnumerateArray())
            {
                var value = ReadValue(item, option, source);
                if (values.Any(v => v.Tokens.SequenceEqual(value.Tokens)))
                    throw new ArgumentException($"{source}: 'vary' {option} lists {item.GetRawText()} twice");
                values.Add(value);
            }
            if (values.Count == 0)
                throw new ArgumentException($"{source}: 'vary' {option} has an empty list of values, so the grid has no points");
            axes.Add(new GridAxis(option, values));
        }
        if (axes.Count == 0)
            throw new ArgumentException($"{source}: 'vary' names no option; a sweep varies at least one");
        return axes;
    }

    private static GridValue ReadValue(JsonElement item, string option, string source)
    {
        string Scalar(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.String => e.GetString()!,
            // The number as written (5e-4 stays 5e-4), so names and command lines read like the grid.
            JsonValueKind.Number => e.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => throw new ArgumentException($"{source}: 'vary' {option} holds {e.GetRawText()}; values are numbers, strings, booleans, null (option left out) or lists of these"),
        };
        List<string> tokens = item.ValueKind switch
        {
            JsonValueKind.Null => [],
            JsonValueKind.Array => item.EnumerateArray().Select(Scalar).ToList(),
            _ => [Scalar(item)],
        };
        if (item.ValueKind == JsonValueKind.Array && tokens.Count == 0)
            throw new ArgumentException($"{source}: 'vary' {option} holds an empty list []; use null to leave the option out");
        foreach (var token in tokens) CheckArgument(token, source, $"'vary' {option}");
        return new GridValue(tokens, item.ValueKind == JsonValueKind.Null ? "none" : string.Join(",", tokens));
    }

    /// <summary>Arguments go one per line into the SLURM points file, so none may hold a line break (or a NUL, which no argument can).</summary>
    private static void CheckArgument(string argument, string source, string where)
    {
        if (argument.IndexOfAny(['\n', '\r', '\0']) >= 0)
            throw new ArgumentException($"{source}: {where} holds an argument with a line break");
        if (argument.Length == 0)
            throw new ArgumentException($"{source}: {where} holds an empty argument");
    }

    private static string Quoted(IEnumerable<string> keys) => string.Join(" and ", keys.Select(k => $"'{k}'"));
}
