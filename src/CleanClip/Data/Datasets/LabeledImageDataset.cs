using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CleanClip.Data;

/// <summary>One image of a classification set and the index of its class in <see cref="LabeledImageDataset.Classes"/>.</summary>
/// <param name="ImagePath">The image file, or for an image held in memory its name, <c>&lt;file&gt;#&lt;index&gt;</c>.</param>
public sealed record LabeledImage(string ImagePath, int Label)
{
    /// <summary>The pixels of an image read from an array file (idx, CIFAR batch); null for an image file at <see cref="ImagePath"/>.</summary>
    public RgbImage? Pixels { get; init; }

    /// <summary>The pixels, decoded from the file when they are not in memory; a failure is a reason, never an exception.</summary>
    public bool TryRead([NotNullWhen(true)] out RgbImage? image, [NotNullWhen(false)] out string? reason)
    {
        if (Pixels is null) return ImageDecoder.TryDecode(ImagePath, out image, out reason);
        (image, reason) = (Pixels, null);
        return true;
    }

    /// <exception cref="InvalidDataException">The file cannot be read or decoded.</exception>
    public RgbImage Read() => TryRead(out var image, out var reason) ? image : throw new InvalidDataException(reason);
}

/// <summary>
/// A labeled classification set for zero-shot, linear-probe and ASR evaluation: a folder with the reference's
/// <c>labels.csv</c> (<c>image,label</c>) and a classes file, an ImageNet-style <c>root/&lt;class&gt;/&lt;image&gt;</c> tree,
/// or MNIST, Fashion-MNIST or CIFAR-10/100 as torchvision downloads them (<see cref="TorchvisionFolder"/>).
/// Unusable images are left out and counted in <see cref="Skipped"/>; an empty result is an error.
/// </summary>
public sealed partial class LabeledImageDataset
{
    public const string LabelsFileName = "labels.csv";

    /// <summary>Where a labels.csv without an explicit classes file looks for one, as the reference keeps classes.py beside it.</summary>
    public static readonly IReadOnlyList<string> ClassesFileNames = ["classes.py", "classes.json"];

    private const string LabelsHint = "A labels file has the columns 'image' (path) and 'label' (class index), comma-separated.";
    private const int MaxFoldersShown = 5;

    public string Root { get; }
    public ClassesFile Classes { get; }
    public IReadOnlyList<LabeledImage> Images { get; }
    public DatasetReport Skipped { get; }
    public int Count => Images.Count;

    private LabeledImageDataset(string root, ClassesFile classes, IReadOnlyList<LabeledImage> images, DatasetReport skipped) =>
        (Root, Classes, Images, Skipped) = (root, classes, images, skipped);

    /// <summary>
    /// <see cref="FromLabelsCsv"/> when <paramref name="folder"/> holds a labels.csv, <see cref="FromTorchvision"/> when it
    /// holds a dataset <see cref="TorchvisionFolder.Detect"/> finds, else <see cref="FromFolders"/>.
    /// </summary>
    /// <param name="split">The split of a torchvision dataset; the other layouts have one set of images and ignore it.</param>
    public static LabeledImageDataset Load(string folder, string? classesPath = null, DatasetSplit split = DatasetSplit.Test)
    {
        var labels = Path.Combine(folder, LabelsFileName);
        if (File.Exists(labels)) return FromLabelsCsv(labels, classesPath);
        return TorchvisionFolder.Detect(folder) is { } layout ? FromTorchvision(layout, split, classesPath) : FromFolders(folder, classesPath);
    }

    /// <summary>
    /// One split of a dataset in torchvision's layout, held in memory, with its built-in classes or those of
    /// <paramref name="classesPath"/>, which must list as many.
    /// </summary>
    public static LabeledImageDataset FromTorchvision(TorchvisionFolder.Layout layout, DatasetSplit split, string? classesPath = null)
    {
        ClassesFile classes;
        if (classesPath is null) classes = TorchvisionFolder.Classes(layout);
        else
        {
            classes = ClassesFile.Read(classesPath);
            int expected = layout.Kind == TorchvisionDataset.IdxUnnamed ? TorchvisionFolder.FashionMnistClasses.Count : TorchvisionFolder.Classes(layout).Classes.Count;
            if (classes.Classes.Count != expected)
                throw new InvalidDataException($"{classesPath}: {classes.Classes.Count} classes, but {TorchvisionFolder.Name(layout.Kind)} in {layout.Folder} has {expected}");
        }
        var images = TorchvisionFolder.Read(layout, split, classes.Classes.Count);
        var report = new DatasetReport("images") { Total = images.Count };
        return Checked(new LabeledImageDataset(layout.Folder, classes, images, report), layout.Folder);
    }

    /// <summary>
    /// A labels table: image paths relative to its folder, or absolute as in the reference's shipped ImageNet file,
    /// which is why images outside the folder are accepted unless <paramref name="allowOutsideRoot"/> is false.
    /// </summary>
    /// <param name="classesPath">JSON or classes.py; null looks for <see cref="ClassesFileNames"/> beside the table.</param>
    /// <exception cref="FileNotFoundException">No table, or no classes file.</exception>
    /// <exception cref="InvalidDataException">A bad table or classes file, or no usable image.</exception>
    public static LabeledImageDataset FromLabelsCsv(string labelsPath, string? classesPath = null, bool allowOutsideRoot = true)
    {
        var fullPath = Path.GetFullPath(labelsPath);
        var root = new DatasetRoot(Path.GetDirectoryName(fullPath)!);
        var classes = ClassesFile.Read(classesPath ?? FindClassesFile(root.Path, fullPath));
        using var table = CsvTable.Open(fullPath, ',');
        int imageColumn = table.Column("image", "image paths", LabelsHint);
        int labelColumn = table.Column("label", "class indices", LabelsHint);
        var report = new DatasetReport("rows");
        var images = new List<LabeledImage>();
        foreach (var (line, fields) in table.Records())
        {
            report.Total++;
            string Field(int column) => column < fields.Length ? fields[column] : "";
            var written = Field(imageColumn);
            var labelText = Field(labelColumn);
            var full = string.IsNullOrWhiteSpace(written) ? "" : root.Resolve(written);
            bool isInt = int.TryParse(labelText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int label);
            SkippedRow? skip =
                full.Length == 0 ? new(line, written, SkipReason.EmptyImagePath)
                : !isInt ? new(line, written, SkipReason.BadLabel, $"label '{labelText}'")
                : label < 0 || label >= classes.Classes.Count
                    ? new(line, written, SkipReason.LabelOutOfRange, $"label {label}, classes are 0..{classes.Classes.Count - 1}")
                : !allowOutsideRoot && !root.Contains(full) ? new(line, written, SkipReason.OutsideRoot, $"{full} is not under {root.Path}")
                : !DatasetRoot.IsFile(full) ? new(line, written, SkipReason.MissingImage, full)
                : null;
            if (skip is not null) report.Skip(skip);
            else images.Add(new LabeledImage(full, label));
        }
        return Checked(new LabeledImageDataset(root.Path, classes, images, report), fullPath);
    }

    /// <summary>
    /// An ImageNet-style tree: each folder under <paramref name="root"/> is a class, and every image below it (at any
    /// depth, sorted by path) carries that class. Without a classes file the classes are the folder names in ordinal
    /// order (torchvision's ImageFolder order). With one, folders must be its class names (or with '_' for ' '), or all
    /// be WordNet ids, which are then taken as the file's classes in sorted-id order (the standard ILSVRC order).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">No folder at <paramref name="root"/>.</exception>
    /// <exception cref="InvalidDataException">No class folders, folders that match no class, or no usable image.</exception>
    public static LabeledImageDataset FromFolders(string root, string? classesPath = null)
    {
        var fullRoot = Path.GetFullPath(root);
        if (!Directory.Exists(fullRoot)) throw new DirectoryNotFoundException($"dataset folder not found: {fullRoot}");
        var folders = Directory.EnumerateDirectories(fullRoot).Select(Path.GetFileName).OfType<string>()
            .Where(name => !name.StartsWith('.')).Order(StringComparer.Ordinal).ToList();
        if (folders.Count == 0)
            throw new InvalidDataException($"{fullRoot}: no class folders (expected <root>/<class>/<image>) and no {LabelsFileName}");
        var (classes, labels) = classesPath is null ? FolderClasses(fullRoot, folders) : MatchFolders(fullRoot, folders, classesPath);

        var report = new DatasetReport("images");
        var images = new List<LabeledImage>();
        for (int f = 0; f < folders.Count; f++)
        {
            var folder = Path.Combine(fullRoot, folders[f]);
            var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(file => ImageList.Extensions.Contains(Path.GetExtension(file))).Order(StringComparer.Ordinal);
            foreach (var file in files)
            {
                report.Total++;
                // A dangling link is listed but cannot be opened.
                if (DatasetRoot.IsFile(file)) images.Add(new LabeledImage(file, labels[f]));
                else report.Skip(new SkippedRow(0, Path.GetRelativePath(fullRoot, file), SkipReason.MissingImage, file));
            }
        }
        return Checked(new LabeledImageDataset(fullRoot, classes, images, report), fullRoot);
    }

    private static (ClassesFile, int[]) FolderClasses(string root, List<string> folders)
    {
        if (folders.All(IsWordNetId))
            throw new InvalidDataException(
                $"{root}: the class folders are WordNet ids ({string.Join(", ", folders.Take(3))}, ...), not class names: " +
                "give a classes file listing one name per folder in sorted-id order (for ImageNet-1k, the standard ILSVRC order).");
        return (new ClassesFile(folders, ["{}"]), Enumerable.Range(0, folders.Count).ToArray());
    }

    private static (ClassesFile, int[]) MatchFolders(string root, List<string> folders, string classesPath)
    {
        var classes = ClassesFile.Read(classesPath);
        if (folders.All(IsWordNetId))
        {
            // Ids carry no names; only a complete set lines up with the classes by sorted position.
            if (folders.Count != classes.Classes.Count)
                throw new InvalidDataException(
                    $"{root}: {folders.Count} WordNet-id folders but {classesPath} has {classes.Classes.Count} classes: ids are mapped to " +
                    "classes by sorted position, so every class needs its folder.");
            return (classes, Enumerable.Range(0, folders.Count).ToArray());
        }
        // Duplicate names (ImageNet's two "missile" classes) resolve to the first, as a folder can only be one of them.
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = classes.Classes.Count - 1; i >= 0; i--) byName[classes.Classes[i]] = i;
        var labels = folders.Select(f => byName.TryGetValue(f, out int i) || byName.TryGetValue(f.Replace('_', ' '), out i) ? i : -1).ToArray();
        var unmatched = folders.Where((_, i) => labels[i] < 0).ToList();
        if (unmatched.Count > 0)
            throw new InvalidDataException(
                $"{root}: {unmatched.Count} folder(s) match no class in {classesPath}: " +
                $"{string.Join(", ", unmatched.Take(MaxFoldersShown).Select(u => $"'{u}'"))}{(unmatched.Count > MaxFoldersShown ? ", ..." : "")}; " +
                "folder names must be class names (or WordNet ids for every class).");
        return (classes, labels);
    }

    private static string FindClassesFile(string folder, string labelsPath) =>
        ClassesFileNames.Select(name => Path.Combine(folder, name)).FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException(
            $"no classes file for {labelsPath}: give one, or put {string.Join(" or ", ClassesFileNames)} beside it", Path.Combine(folder, ClassesFileNames[0]));

    private static LabeledImageDataset Checked(LabeledImageDataset dataset, string source)
    {
        if (dataset.Skipped.Total == 0) throw new InvalidDataException($"{source}: no images listed");
        if (dataset.Count == 0) throw new InvalidDataException($"{source}: no usable images: {dataset.Skipped.Summary()}");
        return dataset;
    }

    private static bool IsWordNetId(string name) => WordNetId().IsMatch(name);

    [GeneratedRegex("^n[0-9]{8}$")]
    private static partial Regex WordNetId();
}
