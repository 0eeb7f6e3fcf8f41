using System.CommandLine;

namespace CleanClip.Cli;

/// <summary>
/// What a command reads: caption tables and their columns, labeled folders, image lists, classes and template files,
/// and how images are loaded. Declared once for every command; what the data is for is the command's sentence.
/// </summary>
public static class DataCliOptions
{
    /// <summary>The forms an image-caption set may take, as the help of every option reading one names them.</summary>
    public const string Pairs = "Image-caption CSV/TSV or WebDataset shards, e.g. 'cc3m/{00000..00331}.tar' (docs/webdataset.md)";

    /// <summary>The layouts a labeled folder read for evaluation may have.</summary>
    public const string LabeledFolder =
        "labels.csv (image,label index) + classes file, <class>/<image> folders, or a torchvision MNIST/Fashion-MNIST (raw/*-ubyte[.gz]) or CIFAR-10/100 (python batches) folder";

    /// <summary><c>--data</c>: the data a command starts from (labeled images, the demo's real world), as <paramref name="description"/> says.</summary>
    public static Option<string?> Data(string description, bool required = false) => new(OptionNames.Data) { Description = description, Required = required };

    /// <summary><c>--train-data</c>: pairs (see <see cref="Pairs"/>) or a labeled folder, as <paramref name="description"/> says.</summary>
    public static Option<string?> TrainData(string description, bool required = false) => new(OptionNames.TrainData) { Description = description, Required = required };

    /// <summary><c>--eval-data</c>: a labeled folder (<see cref="LabeledFolder"/>, its test split); <paramref name="use"/> says what the command measures on it.</summary>
    public static Option<string?> EvalData(string use, bool required = false) => new(OptionNames.EvalData)
    {
        Description = $"Labeled folder: {LabeledFolder}, read as its test split; {use}",
        Required = required,
    };

    /// <summary><c>--images</c>: a folder of images or a table with an image column; <paramref name="use"/> says which images they are and the default.</summary>
    public static Option<string?> Images(string use, bool required = false) => new("--images")
    {
        Description = $"A folder of images, or a CSV/TSV with an image column: {use}",
        Required = required,
    };

    /// <summary><c>--image-key</c>: the image column of a table.</summary>
    public static Option<string> ImageKey(string defaultValue) => new("--image-key") { Description = "Image column of a CSV/TSV table.", DefaultValueFactory = _ => defaultValue };

    /// <summary><c>--caption-key</c>: the caption column of a table.</summary>
    public static Option<string> CaptionKey(string defaultValue) => new("--caption-key") { Description = "Caption column of a CSV/TSV table.", DefaultValueFactory = _ => defaultValue };

    /// <summary><c>--delimiter</c>: a table's column separator, else chosen by the file's extension.</summary>
    public static Option<char?> Delimiter() => new("--delimiter") { Description = "Column separator (default: tab for .tsv, else comma)." };

    /// <summary><c>--classes</c>: a classes file; <paramref name="use"/> says what the command takes from it and where it looks without one.</summary>
    public static Option<string?> Classes(string use) => new(OptionNames.Classes)
    {
        Description = $"Classes file (JSON with \"classes\" and \"templates\", or classes.py): {use}",
    };

    /// <summary><c>--templates</c>: caption templates with <c>{}</c> for a class name; <paramref name="source"/> says the file they come from and what they make.</summary>
    public static Option<string?> Templates(string source) => new("--templates")
    {
        Description = $"Caption templates, {{}} standing for the class name: {source}",
    };

    /// <summary><c>--max-images</c>: how many images the command reads at most; <paramref name="which"/> says which ones.</summary>
    public static Option<int> MaxImages(int defaultValue, string which) => new("--max-images")
    {
        Description = $"Read at most this many images: {which}.",
        DefaultValueFactory = _ => defaultValue,
    };

    /// <summary><c>--cache-dir</c>: where <paramref name="what"/> (e.g. "Class-embedding") are kept between runs.</summary>
    public static Option<string?> CacheDir(string what, string? defaultFolder) => new("--cache-dir")
    {
        Description = $"{what} cache (default: {defaultFolder}).",
    };

    /// <summary><c>--decode-threads</c>: the threads that load images.</summary>
    public static Option<int> DecodeThreads(int defaultValue) => new("--decode-threads")
    {
        Description = "Image-loading threads (0: the cores LibTorch leaves free).",
        DefaultValueFactory = _ => defaultValue,
    };
}
