using System.Text.RegularExpressions;

namespace CleanClip.Data;

/// <summary>Which half of a dataset that ships a train and a test split is read.</summary>
public enum DatasetSplit
{
    Train,
    Test,
}

/// <summary>The datasets <see cref="TorchvisionFolder"/> reads.</summary>
public enum TorchvisionDataset
{
    /// <summary>MNIST or Fashion-MNIST, told apart by folder name (their idx files have the same names).</summary>
    IdxUnnamed,
    Mnist,
    FashionMnist,
    Cifar10,
    Cifar100,
}

/// <summary>
/// Labeled image sets in the layouts torchvision downloads, read into memory: MNIST and Fashion-MNIST idx files
/// (<c>raw/train-images-idx3-ubyte</c> and friends, plain or <c>.gz</c>), and the CIFAR-10/100 python batches
/// (<c>cifar-10-batches-py/data_batch_1..5</c>, <c>test_batch</c>, <c>batches.meta</c>;
/// <c>cifar-100-python/train</c>, <c>test</c>, <c>meta</c>, fine labels). Images keep their native size
/// (28×28 gray as RGB, 32×32 RGB); each is named <c>&lt;file&gt;#&lt;index in the file&gt;</c>.
/// </summary>
public static partial class TorchvisionFolder
{
    /// <summary>Fashion-MNIST's classes in label order: torchvision's names, lower-case, "T-shirt/top" as "t-shirt".</summary>
    public static readonly IReadOnlyList<string> FashionMnistClasses =
        ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"];

    /// <summary>MNIST's classes: the digits, with CLIP's MNIST prompt.</summary>
    public static readonly ClassesFile MnistClasses =
        new(Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList(), ["a photo of the number: \"{}\"."]);

    /// <summary>The prompt for datasets of objects (Fashion-MNIST, CIFAR) when no classes file gives others.</summary>
    public static readonly IReadOnlyList<string> ObjectTemplates = ["a photo of a {}."];

    private const string Cifar10Folder = "cifar-10-batches-py", Cifar100Folder = "cifar-100-python";
    private const int CifarSide = 32, CifarTrainBatches = 5;

    /// <summary>Where a dataset was found: its kind and the folder that holds its files.</summary>
    public sealed record Layout(TorchvisionDataset Kind, string Folder);

    /// <summary>
    /// The dataset in <paramref name="folder"/>: idx files in it or in its <c>raw/</c>, or a CIFAR folder that is it or
    /// is in it. Null when it holds none of these (an ordinary image folder).
    /// </summary>
    /// <exception cref="InvalidDataException">It holds more than one of them.</exception>
    public static Layout? Detect(string folder)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (!Directory.Exists(full)) return null;
        var found = new List<Layout>();
        var raw = Path.Combine(full, "raw");
        if (HasIdxFiles(raw)) found.Add(new Layout(IdxKind(raw), raw));
        else if (HasIdxFiles(full)) found.Add(new Layout(IdxKind(full), full));
        if (File.Exists(Path.Combine(full, "batches.meta"))) found.Add(new Layout(TorchvisionDataset.Cifar10, full));
        else if (Directory.Exists(Path.Combine(full, Cifar10Folder))) found.Add(new Layout(TorchvisionDataset.Cifar10, Path.Combine(full, Cifar10Folder)));
        if (File.Exists(Path.Combine(full, "meta")) && (File.Exists(Path.Combine(full, "train")) || File.Exists(Path.Combine(full, "test"))))
            found.Add(new Layout(TorchvisionDataset.Cifar100, full));
        else if (Directory.Exists(Path.Combine(full, Cifar100Folder))) found.Add(new Layout(TorchvisionDataset.Cifar100, Path.Combine(full, Cifar100Folder)));
        if (found.Count > 1)
            throw new InvalidDataException(
                $"{full}: holds more than one dataset ({string.Join(", ", found.Select(f => $"{Name(f.Kind)} in {f.Folder}"))}); give the folder of the one you mean");
        return found.SingleOrDefault();
    }

    /// <summary>The dataset's display name.</summary>
    public static string Name(TorchvisionDataset kind) => kind switch
    {
        TorchvisionDataset.Mnist => "MNIST",
        TorchvisionDataset.FashionMnist => "Fashion-MNIST",
        TorchvisionDataset.Cifar10 => "CIFAR-10",
        TorchvisionDataset.Cifar100 => "CIFAR-100",
        _ => "MNIST-format idx",
    };

    /// <summary>The built-in classes and prompts of <paramref name="layout"/> (CIFAR's are read from its meta file).</summary>
    /// <exception cref="InvalidDataException">idx files in a folder whose name says neither MNIST nor Fashion-MNIST.</exception>
    public static ClassesFile Classes(Layout layout) => layout.Kind switch
    {
        TorchvisionDataset.Mnist => MnistClasses,
        TorchvisionDataset.FashionMnist => new ClassesFile(FashionMnistClasses, ObjectTemplates),
        TorchvisionDataset.Cifar10 => CifarClasses(Path.Combine(layout.Folder, "batches.meta"), "label_names"),
        TorchvisionDataset.Cifar100 => CifarClasses(Path.Combine(layout.Folder, "meta"), "fine_label_names"),
        _ => throw new InvalidDataException(
            $"{layout.Folder}: MNIST and Fashion-MNIST use the same idx file names and the folder's name says neither; " +
            "put the files under a folder named MNIST or FashionMNIST (as torchvision does), or give a classes file"),
    };

    /// <summary>The images and labels of one split; labels are checked against <paramref name="classCount"/>.</summary>
    /// <exception cref="FileNotFoundException">A file of the split is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed or its labels and images disagree.</exception>
    public static IReadOnlyList<LabeledImage> Read(Layout layout, DatasetSplit split, int classCount) => layout.Kind switch
    {
        TorchvisionDataset.Cifar10 => ReadCifar(layout.Folder,
            split == DatasetSplit.Train ? Enumerable.Range(1, CifarTrainBatches).Select(i => $"data_batch_{i}").ToArray() : ["test_batch"], "labels", classCount),
        TorchvisionDataset.Cifar100 => ReadCifar(layout.Folder, [split == DatasetSplit.Train ? "train" : "test"], "fine_labels", classCount),
        _ => ReadIdx(layout.Folder, split == DatasetSplit.Train ? "train" : "t10k", classCount),
    };

    private static bool HasIdxFiles(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateFiles(folder).Any(f => IdxName().IsMatch(Path.GetFileName(f)));

    /// <summary>Fashion-MNIST or MNIST by the name of the folder holding the files (or of its parent, for <c>raw/</c>).</summary>
    private static TorchvisionDataset IdxKind(string folder)
    {
        var names = new[] { Path.GetFileName(folder), Path.GetFileName(Path.GetDirectoryName(folder) ?? "") };
        if (names.Any(n => n.Contains("fashion", StringComparison.OrdinalIgnoreCase))) return TorchvisionDataset.FashionMnist;
        if (names.Any(n => PlainMnist().IsMatch(n))) return TorchvisionDataset.Mnist;
        return TorchvisionDataset.IdxUnnamed;
    }

    private static List<LabeledImage> ReadIdx(string folder, string prefix, int classCount)
    {
        var imagesPath = IdxPath(folder, $"{prefix}-images-idx3-ubyte");
        var labelsPath = IdxPath(folder, $"{prefix}-labels-idx1-ubyte");
        var images = IdxFile.Read(imagesPath, 3);
        var labels = IdxFile.Read(labelsPath, 1);
        int count = images.Shape[0], height = images.Shape[1], width = images.Shape[2];
        if (labels.Shape[0] != count)
            throw new InvalidDataException($"{labelsPath}: {labels.Shape[0]} labels, but {imagesPath} holds {count} images");
        if (count > 0 && (height == 0 || width == 0))
            throw new InvalidDataException($"{imagesPath}: images of {height}x{width} pixels, expected a positive size");
        var result = new List<LabeledImage>(count);
        int pixels = height * width;
        for (int i = 0; i < count; i++)
        {
            var rgb = new byte[3 * pixels];
            var gray = images.Data.AsSpan(i * pixels, pixels);
            for (int p = 0; p < pixels; p++) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = gray[p];
            result.Add(new LabeledImage($"{imagesPath}#{i}", CheckedLabel(labels.Data[i], i, labelsPath, classCount))
            {
                Pixels = new RgbImage(width, height, rgb),
            });
        }
        return result;
    }

    /// <summary>The plain file, or its .gz when only that is there (torchvision keeps both after extracting).</summary>
    private static string IdxPath(string folder, string name)
    {
        var plain = Path.Combine(folder, name);
        if (File.Exists(plain)) return plain;
        if (File.Exists(plain + ".gz")) return plain + ".gz";
        throw new FileNotFoundException($"{folder}: no {name} or {name}.gz (the MNIST/Fashion-MNIST file of this split)", plain);
    }

    private static List<LabeledImage> ReadCifar(string folder, string[] files, string labelsKey, int classCount)
    {
        var result = new List<LabeledImage>();
        foreach (var name in files)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path)) throw new FileNotFoundException($"{folder}: no {name} (the CIFAR batch file of this split)", path);
            var batch = Dict(NumpyPickle.Load(path), path, $"a CIFAR batch: a dict with 'data' and '{labelsKey}'");
            if (Entry(batch, "data", path) is not NumpyArray { Dtype: "u1" } data)
                throw new InvalidDataException($"{path}: 'data' is not a numpy uint8 array (expected N x {3 * CifarSide * CifarSide} pixel bytes)");
            var labels = Labels(Entry(batch, labelsKey, path), path, labelsKey);
            long perImage = 3 * CifarSide * CifarSide;
            if (data.Shape.Count == 0 || data.Shape[0] != labels.Count || data.Count != labels.Count * perImage)
                throw new InvalidDataException(
                    $"{path}: 'data' has shape ({string.Join(", ", data.Shape)}), expected ({labels.Count}, {perImage}) for its {labels.Count} labels");
            for (int i = 0; i < labels.Count; i++)
            {
                // CIFAR rows are planar: 1024 red bytes, then green, then blue, each plane row-major.
                var planar = data.Data.AsSpan((int)(i * perImage), (int)perImage);
                var rgb = new byte[perImage];
                int plane = CifarSide * CifarSide;
                for (int p = 0; p < plane; p++)
                {
                    rgb[3 * p] = planar[p];
                    rgb[3 * p + 1] = planar[plane + p];
                    rgb[3 * p + 2] = planar[2 * plane + p];
                }
                result.Add(new LabeledImage($"{path}#{i}", CheckedLabel(labels[i], i, path, classCount))
                {
                    Pixels = new RgbImage(CifarSide, CifarSide, rgb),
                });
            }
        }
        return result;
    }

    private static ClassesFile CifarClasses(string path, string key)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{Path.GetDirectoryName(path)}: no {Path.GetFileName(path)} (the CIFAR file naming its classes)", path);
        var meta = Dict(NumpyPickle.Load(path), path, $"a dict with '{key}'");
        if (Entry(meta, key, path) is not List<object?> names || names.Count == 0)
            throw new InvalidDataException($"{path}: '{key}' is not a non-empty list of class names");
        // CIFAR-100 writes multi-word names with '_' ("aquarium_fish"); prompts want the words.
        var classes = names.Select((n, i) => NumpyPickle.Text(n)?.Replace('_', ' ')
            ?? throw new InvalidDataException($"{path}: '{key}'[{i}] is a {Checkpoints.TorchPickleHost.Describe(n)}, expected a name")).ToList();
        return new ClassesFile(classes, ObjectTemplates);
    }

    private static Dictionary<string, object?> Dict(object? value, string path, string expected)
    {
        if (value is not Dictionary<object, object?> dict)
            throw new InvalidDataException($"{path}: holds a {Checkpoints.TorchPickleHost.Describe(value)}, expected {expected}");
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, entry) in dict)
            if (NumpyPickle.Text(key) is { } name) result[name] = entry;
        return result;
    }

    private static object? Entry(Dictionary<string, object?> dict, string key, string path) =>
        dict.TryGetValue(key, out var value) ? value
        : throw new InvalidDataException($"{path}: no '{key}' entry (found {string.Join(", ", dict.Keys.Select(k => $"'{k}'"))})");

    private static List<long> Labels(object? value, string path, string key) => value switch
    {
        List<object?> list => list.Select((v, i) => v is long l ? l
            : throw new InvalidDataException($"{path}: '{key}'[{i}] is a {Checkpoints.TorchPickleHost.Describe(v)}, expected an integer")).ToList(),
        NumpyArray { Dtype: "u1" } a => a.Data.Select(b => (long)b).ToList(),
        NumpyArray { Dtype: "i8" } a => Enumerable.Range(0, (int)a.Count).Select(i => BitConverter.ToInt64(a.Data, 8 * i)).ToList(),
        NumpyArray { Dtype: "i4" } a => Enumerable.Range(0, (int)a.Count).Select(i => (long)BitConverter.ToInt32(a.Data, 4 * i)).ToList(),
        _ => throw new InvalidDataException($"{path}: '{key}' is a {Checkpoints.TorchPickleHost.Describe(value)}, expected a list of integers"),
    };

    private static int CheckedLabel(long label, int index, string path, int classCount) =>
        label >= 0 && label < classCount ? (int)label
        : throw new InvalidDataException($"{path}: label {label} of image {index} is outside the {classCount} classes (0..{classCount - 1})");

    [GeneratedRegex(@"-ubyte(\.gz)?$", RegexOptions.IgnoreCase)]
    private static partial Regex IdxName();

    /// <summary>"MNIST" but not KMNIST, EMNIST or QMNIST, whose classes differ.</summary>
    [GeneratedRegex(@"(^|[^a-z])mnist", RegexOptions.IgnoreCase)]
    private static partial Regex PlainMnist();
}
