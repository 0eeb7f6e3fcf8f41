using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;

namespace CleanClip.Data.Synthetic;

/// <summary>The CSV and JSON files of a split, in the reference's formats: image paths relative to the table's folder.</summary>
internal static class SplitTables
{
    // "\n" on every OS and no BOM, so the tables are byte-identical wherever a world is generated.
    private static readonly CsvConfiguration Csv = new(CultureInfo.InvariantCulture) { NewLine = "\n" };
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary><c>image,caption</c> for pretraining and finetuning.</summary>
    public static void WriteCaptions(string path, IEnumerable<SyntheticSample> samples) =>
        Write(path, csv =>
        {
            csv.WriteField("image");
            csv.WriteField("caption");
            csv.NextRecord();
            foreach (var s in samples)
            {
                csv.WriteField(s.Image);
                csv.WriteField(s.Caption!.Text);
                csv.NextRecord();
            }
        });

    /// <summary><c>image,label</c> with the class index, for zero-shot evaluation.</summary>
    public static void WriteLabels(string path, IEnumerable<SyntheticSample> samples) =>
        Write(path, csv =>
        {
            csv.WriteField("image");
            csv.WriteField("label");
            csv.NextRecord();
            foreach (var s in samples)
            {
                csv.WriteField(s.Image);
                csv.WriteField(s.Label.ToString(CultureInfo.InvariantCulture));
                csv.NextRecord();
            }
        });

    /// <summary><c>{"classes": [...], "templates": [...]}</c> as <see cref="Evaluation.ClassesFile"/> reads it.</summary>
    public static void WriteClasses(string path, IReadOnlyList<string> kinds) =>
        File.WriteAllText(path, JsonSerializer.Serialize(new { classes = kinds, templates = CaptionWriter.ClassTemplates },
            new JsonSerializerOptions { WriteIndented = true }) + "\n", Utf8);

    private static void Write(string path, Action<CsvWriter> write)
    {
        using var writer = new StreamWriter(path, append: false, Utf8);
        using var csv = new CsvWriter(writer, Csv);
        write(csv);
    }
}
