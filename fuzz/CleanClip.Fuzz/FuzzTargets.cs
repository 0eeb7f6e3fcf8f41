using System.Text;
using CleanClip.Checkpoints;
using CleanClip.Data;
using CleanClip.Training.Augmentation;

namespace CleanClip.Fuzz;

/// <summary>
/// One parser of untrusted input per target, fed raw bytes. A parser may refuse input only with the exceptions that
/// carry a clear message (<see cref="IsClearRefusal"/>); anything else (NullReference, IndexOutOfRange, Overflow, ...)
/// escapes and is a crash for the fuzzer and a failure for the corpus regression test.
/// </summary>
public static class FuzzTargets
{
    public static IReadOnlyList<string> Names { get; } = ["csv", "safetensors", "pickle", "classes", "wordnet", "image", "shard"];

    public static void Run(string target, byte[] input, string scratch)
    {
        try
        {
            switch (target)
            {
                case "csv": Csv(input, scratch); break;
                case "safetensors": SafetensorsFile(input, scratch); break;
                case "pickle": Pickle(input, scratch); break;
                case "classes": Classes(input, scratch); break;
                case "wordnet": WordNetFolder(input, scratch); break;
                case "image": ImageDecoder.TryDecode(input, "<fuzz>", out _, out _); break;
                case "shard": Shard(input, scratch); break;
                default: throw new ArgumentException($"unknown fuzz target '{target}'; targets: {string.Join(", ", Names)}");
            }
        }
        catch (Exception e) when (IsClearRefusal(e))
        {
        }
    }

    public static bool IsClearRefusal(Exception e) =>
        e is InvalidDataException or CheckpointFormatException or FileNotFoundException
        || (e is ArgumentException && e is not (ArgumentOutOfRangeException or ArgumentNullException));

    private static string Write(string scratch, string name, byte[] bytes)
    {
        Directory.CreateDirectory(scratch);
        var path = Path.Combine(scratch, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void Csv(byte[] input, string scratch)
    {
        var data = ImageCaptionDataset.Load(Write(scratch, "table.csv", input));
        foreach (var row in data.Rows) _ = (row.Caption.Length, row.ImagePath.Length);
    }

    /// <summary>A WebDataset shard: indexed, then every image read back by seeking (the training path), then streamed.</summary>
    private static void Shard(byte[] input, string scratch)
    {
        var shard = Write(scratch, "00000.tar", input);
        var data = ImageCaptionDataset.Load(shard);
        foreach (var row in data.Rows) _ = (row.Caption.Length, row.ReadBytes().Length);
        foreach (var sample in ShardReader.Read(shard, new ShardLog())) _ = (sample.Image?.Length, sample.Json?.Length);
    }

    private static void SafetensorsFile(byte[] input, string scratch)
    {
        foreach (var tensor in Safetensors.Read(Write(scratch, "model.safetensors", input)).Values) tensor.Dispose();
    }

    private static void Pickle(byte[] input, string scratch)
    {
        using var checkpoint = CheckpointReader.Read(Write(scratch, "model.pt", input));
    }

    private static void Classes(byte[] input, string scratch)
    {
        // The first byte picks the format, so one corpus covers both readers.
        bool python = input.Length > 0 && input[0] % 2 == 1;
        ClassesFile.Read(Write(scratch, python ? "classes.py" : "classes.json", input.Length > 0 ? input[1..] : input));
    }

    /// <summary>index.noun, a line "---", then data.noun; the other parts of speech are empty.</summary>
    private static void WordNetFolder(byte[] input, string scratch)
    {
        var folder = Path.Combine(scratch, "wordnet");
        var text = Encoding.UTF8.GetString(input);
        var cut = text.IndexOf("\n---\n", StringComparison.Ordinal);
        var (index, data) = cut < 0 ? (text, "") : (text[..cut], text[(cut + 5)..]);
        Write(folder, "index.noun", Encoding.UTF8.GetBytes(index));
        Write(folder, "data.noun", Encoding.UTF8.GetBytes(data));
        foreach (var pos in new[] { "verb", "adj", "adv" })
        {
            Write(folder, $"index.{pos}", []);
            Write(folder, $"data.{pos}", []);
        }
        var wordNet = WordNet.Load(folder);
        foreach (var line in index.Split('\n').Take(20))
            if (line.Split(' ') is [var word, ..] && word.Length > 0) wordNet.Synonyms(word);
    }
}
