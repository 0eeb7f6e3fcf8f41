using System.Text.Json;

namespace CleanClip.Data;

/// <summary>
/// Class names and prompt templates for zero-shot classification, read from JSON
/// <c>{"classes": ["banana", ...], "templates": ["a photo of a {}.", ...]}</c>, where <c>{}</c> marks the class name,
/// or from the reference's <c>classes.py</c> (a <c>.py</c> file: see <see cref="PythonClassesLiteral"/>).
/// </summary>
public sealed record ClassesFile(IReadOnlyList<string> Classes, IReadOnlyList<string> Templates)
{
    /// <summary>The prompts of one class, in template order.</summary>
    public IEnumerable<string> Prompts(int classIndex) => Templates.Select(t => t.Replace("{}", Classes[classIndex]));

    /// <summary>Index of a class given by name (case-insensitive) or by number.</summary>
    public int IndexOf(string nameOrIndex)
    {
        if (int.TryParse(nameOrIndex, out int index))
            return index >= 0 && index < Classes.Count ? index
                : throw new ArgumentException($"class index {index} is outside 0..{Classes.Count - 1}");
        for (int i = 0; i < Classes.Count; i++)
            if (string.Equals(Classes[i], nameOrIndex, StringComparison.OrdinalIgnoreCase)) return i;
        throw new ArgumentException($"class '{nameOrIndex}' is not among the {Classes.Count} classes");
    }

    public static ClassesFile Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"classes file not found: {path}", path);
        if (Path.GetExtension(path).Equals(".py", StringComparison.OrdinalIgnoreCase))
        {
            var (pyClasses, pyTemplates) = PythonClassesLiteral.Parse(File.ReadAllText(path), path);
            return Validated(pyClasses, pyTemplates, path);
        }
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }
        using (doc)
        {
            var classes = Strings(doc.RootElement, "classes", path);
            var templates = doc.RootElement.TryGetProperty("templates", out _) ? Strings(doc.RootElement, "templates", path) : null;
            return Validated(classes, templates, path);
        }
    }

    /// <summary>Templates default to the bare class name when the file has none.</summary>
    private static ClassesFile Validated(List<string> classes, List<string>? templates, string path)
    {
        templates ??= ["{}"];
        if (classes.Count == 0) throw new InvalidDataException($"{path}: \"classes\" is empty");
        var bad = templates.FirstOrDefault(t => !t.Contains("{}"));
        if (bad is not null) throw new InvalidDataException($"{path}: template \"{bad}\" has no {{}} for the class name");
        return new ClassesFile(classes, templates);
    }

    private static List<string> Strings(JsonElement root, string key, string path)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(key, out var array))
            throw new InvalidDataException($"{path}: expected an object with a \"{key}\" array of strings");
        if (array.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{path}: \"{key}\" must be an array of strings, found {array.ValueKind}");
        return array.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.String ? e.GetString()!
            : throw new InvalidDataException($"{path}: \"{key}\"[{i}] must be a string, found {e.ValueKind}")).ToList();
    }
}
