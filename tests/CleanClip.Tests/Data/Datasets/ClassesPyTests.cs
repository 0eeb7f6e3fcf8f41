using System.Text;
using CleanClip.Data;
using Xunit;

namespace CleanClip.Tests.Data.Datasets;

/// <summary>The reference's classes.py dict literal, read without evaluating it.</summary>
public class ClassesPyTests
{
    // Hand-written in the reference's layout ("classes", "superclasses", "templates" of f-string lambdas), with both
    // quote styles, escapes, a comment, trailing commas, a parenthesised string pair and keys that are ignored.
    private const string Sample = """
        # classes for a toy test set
        {
            "classes": ["tench", 'goldfish', "yellow lady's slipper", 'potter\'s wheel', "say \"cheese\"", "caf\u00e9", ("great white " "shark"),],

            "superclasses": [["tench", "goldfish"], ['great white shark']],  # unused, as in CleanCLIP

            "templates": [lambda s: f"a bad photo of a {s}.", lambda c: f'a photo of many {c}.',
                          lambda s: f"itap of my { s }.",  # spaces inside the braces are Python too
                          lambda s: f"the {s}" ' in a video game.',
                         ],
            'extra': {"n": 1, "ratio": 2.5e-3, "flag": True, "none": None, "pair": (1, -4)},
        }
        """;

    private static ClassesFile Read(TempDir dir, string text, string name = "classes.py") => ClassesFile.Read(dir.Text(name, text));

    private static string ReadFails(string text, params string[] expected)
    {
        using var dir = new TempDir();
        var path = dir.Text("classes.py", text);
        var message = Assert.Throws<InvalidDataException>(() => ClassesFile.Read(path)).Message;
        Assert.Contains(path, message);
        foreach (var part in expected) Assert.Contains(part, message);
        return message;
    }

    [Fact]
    public void The_reference_literal_gives_classes_and_templates_in_file_order()
    {
        using var dir = new TempDir();

        var file = Read(dir, Sample);

        Assert.Equal(["tench", "goldfish", "yellow lady's slipper", "potter's wheel", "say \"cheese\"", "café", "great white shark"], file.Classes);
        Assert.Equal(["a bad photo of a {}.", "a photo of many {}.", "itap of my {}.", "the {} in a video game."], file.Templates);
        Assert.Equal("a photo of many goldfish.", file.Prompts(1).ElementAt(1));
    }

    [Fact]
    public void A_file_without_templates_uses_the_bare_class_name()
    {
        using var dir = new TempDir();

        Assert.Equal(["{}"], Read(dir, "{'classes': ['a', 'b']}").Templates);
    }

    [SkippableFact]
    public void The_shared_imagenet_classes_written_as_classes_py_read_back_the_same()
    {
        var json = TestPaths.SharedFile("data", "zeroshot", "imagenet1k.json");
        Skip.If(json is null, "shared/data/zeroshot/imagenet1k.json is absent");
        var expected = ClassesFile.Read(json!);
        // The reference's layout: double-quoted names (some with apostrophes) and one f-string lambda per template.
        var py = new StringBuilder("{\n    \"classes\": [");
        py.AppendJoin(", ", expected.Classes.Select(c => $"\"{c.Replace("\\", "\\\\").Replace("\"", "\\\"")}\""));
        py.Append("],\n    \"superclasses\": [],\n    \"templates\": [");
        py.AppendJoin(", ", expected.Templates.Select(t => $"lambda s: f\"{t.Replace("{}", "{s}")}\""));
        py.Append("]\n}\n");
        using var dir = new TempDir();

        var file = Read(dir, py.ToString());

        Assert.Equal(expected.Classes, file.Classes);
        Assert.Equal(expected.Templates, file.Templates);
        Assert.Equal("banana", file.Classes[954]);
    }

    [Fact]
    public void Code_is_refused_not_run()
    {
        ReadFails("{\"classes\": [__import__('os').system('echo hi')]}", "line 1", "'__import__' is not a literal");
    }

    [Fact]
    public void A_template_expression_other_than_the_parameter_is_refused()
    {
        ReadFails("{\"classes\": [\"a\"],\n \"templates\": [lambda s: f\"a {s.upper()}\"]}", "line 2", "only {s} is understood");
    }

    [Fact]
    public void A_template_that_is_not_an_f_string_lambda_is_refused()
    {
        ReadFails("{\"classes\": [\"a\"],\n\n \"templates\": [lambda s: \"a \" + s]}", "line 3", "must return an f-string using {s}");
    }

    [Fact]
    public void An_unclosed_string_names_its_line()
    {
        ReadFails("{\n  \"classes\": [\"a\",\n  \"b],\n}", "line 3", "string not closed");
    }

    [Fact]
    public void A_class_that_is_not_a_string_names_its_index_and_line()
    {
        ReadFails("{\"classes\": [\"a\",\n 2]}", "line 2", "\"classes\"[1] must be a string, found number");
    }

    [Fact]
    public void Missing_classes_are_named()
    {
        ReadFails("{\"templates\": [lambda s: f\"{s}\"]}", "expected a \"classes\" list of strings");
    }

    [Fact]
    public void A_file_that_is_not_one_dict_is_refused()
    {
        ReadFails("classes = {\"classes\": [\"a\"]}", "line 1", "'classes' is not a literal");
        ReadFails("{\"classes\": [\"a\"]}\n{}", "line 2", "expected the end of the file");
        ReadFails("[\"a\"]", "expected the file to be one dict literal");
    }

    [Fact]
    public void An_f_string_outside_a_lambda_is_refused()
    {
        ReadFails("{\"classes\": [f\"a\"]}", "only understood as the body of a template lambda");
    }
}
