using System.Globalization;
using System.Text.RegularExpressions;

namespace CleanClip.Data;

/// <summary>One image of a classification set and the index of its class in <see cref="LabeledImageDataset.Classes"/>.</summary>
public sealed record LabeledImage(string ImagePath, int Label);

/// <summary>
/// A labeled classification set for zero-shot, linear-probe and ASR evaluation: either a folder with the reference's
/// <c>labels.csv</c> (<c>image,label</c>) and a classes file, or an ImageNet-style <c>root/&lt;class&gt;/&lt;image&gt;</c> tree.
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

    /// <summary><see cref="FromLabelsCsv"/> when <paramref name="folder"/> holds a labels.csv, else <see cref="FromFolders"/>.</summary>
    public static LabeledImageDataset Load(string folder, string? classesPath = null)
    {
        var labels = Path.Combine(folder, LabelsFileName);
        return File.Exists(labels) ? FromLabelsCsv(labels, classesPath) : FromFolders(folder, classesPath);
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
                : root.OutsideRoot(line, written, full, allowOutsideRoot) is { } outside ? outside
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
