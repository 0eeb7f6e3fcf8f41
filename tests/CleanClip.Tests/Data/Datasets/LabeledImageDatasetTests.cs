using CleanClip.Data;
using Xunit;

namespace CleanClip.Tests.Data.Datasets;

/// <summary>Classification sets from the reference's labels.csv plus classes file, and from ImageNet-style folders.</summary>
public class LabeledImageDatasetTests
{
    private const string ThreeClasses = """{"classes": ["cat", "dog", "great white shark"], "templates": ["a photo of a {}."]}""";

    [Fact]
    public void Labels_csv_reads_relative_and_absolute_paths_with_their_labels()
    {
        using var dir = new TempDir();
        var a = dir.Png("val/images/a.png");
        var elsewhere = dir.Png("other/b.png");
        var classes = dir.Text("classes.json", ThreeClasses);
        var labels = dir.Text("val/labels.csv", $"image,label\nimages/a.png,2\n{elsewhere},0\n");

        var set = LabeledImageDataset.FromLabelsCsv(labels, classes);

        Assert.Equal([new LabeledImage(a, 2), new LabeledImage(elsewhere, 0)], set.Images);
        Assert.Equal("great white shark", set.Classes.Classes[2]);
        Assert.Equal(Path.Combine(dir.Path, "val"), set.Root);
    }

    [Fact]
    public void Absolute_paths_outside_the_folder_can_be_refused()
    {
        using var dir = new TempDir();
        dir.Png("val/a.png");
        var elsewhere = dir.Png("other/b.png");
        var classes = dir.Text("classes.json", ThreeClasses);
        var labels = dir.Text("val/labels.csv", $"image,label\na.png,1\n{elsewhere},0\n");

        var set = LabeledImageDataset.FromLabelsCsv(labels, classes, allowOutsideRoot: false);

        Assert.Equal(1, set.Count);
        Assert.Equal(1, set.Skipped.Counts[SkipReason.OutsideRoot]);
    }

    [Fact]
    public void A_classes_py_beside_labels_csv_is_found_and_Load_picks_the_labels_file()
    {
        using var dir = new TempDir();
        dir.Png("val/a.png");
        dir.Text("val/classes.py", "{\"classes\": ['cat', 'dog'], \"templates\": [lambda s: f'a photo of a {s}.']}");
        dir.Text("val/labels.csv", "image,label\na.png,1\n");

        var set = LabeledImageDataset.Load(Path.Combine(dir.Path, "val"));

        Assert.Equal(new LabeledImage(Path.Combine(dir.Path, "val", "a.png"), 1), Assert.Single(set.Images));
        Assert.Equal(["a photo of a {}."], set.Classes.Templates);
    }

    [Fact]
    public void Labels_csv_without_any_classes_file_says_where_it_looked()
    {
        using var dir = new TempDir();
        dir.Png("val/a.png");
        var labels = dir.Text("val/labels.csv", "image,label\na.png,0\n");

        var error = Assert.Throws<FileNotFoundException>(() => LabeledImageDataset.FromLabelsCsv(labels));

        Assert.Contains(labels, error.Message);
        Assert.Contains("classes.py or classes.json", error.Message);
    }

    [Fact]
    public void Bad_labels_and_missing_images_are_skipped_and_counted()
    {
        using var dir = new TempDir();
        dir.Png("a.png");
        var classes = dir.Text("classes.json", ThreeClasses);
        var labels = dir.Text("labels.csv", "image,label\na.png,0\na.png,banana\na.png,1.0\na.png,3\na.png,-1\ngone.png,1\n,1\n");

        var set = LabeledImageDataset.FromLabelsCsv(labels, classes);

        Assert.Equal(1, set.Count);
        Assert.Equal(2, set.Skipped.Counts[SkipReason.BadLabel]);
        Assert.Equal(2, set.Skipped.Counts[SkipReason.LabelOutOfRange]);
        Assert.Equal(1, set.Skipped.Counts[SkipReason.MissingImage]);
        Assert.Equal(1, set.Skipped.Counts[SkipReason.EmptyImagePath]);
        Assert.Equal(new SkippedRow(3, "a.png", SkipReason.BadLabel, "label 'banana'"), set.Skipped.Examples[0]);
        Assert.Equal("label 3, classes are 0..2", set.Skipped.Examples[2].Detail);
    }

    [Fact]
    public void Labels_csv_with_nothing_usable_is_an_error_with_the_summary()
    {
        using var dir = new TempDir();
        var classes = dir.Text("classes.json", ThreeClasses);
        var labels = dir.Text("labels.csv", "image,label\n/authors/machine/val_1.JPEG,0\n");

        var error = Assert.Throws<InvalidDataException>(() => LabeledImageDataset.FromLabelsCsv(labels, classes));

        Assert.Contains(labels, error.Message);
        Assert.Contains("skipped 1 of 1 rows: 1 missing image; first: line 2 /authors/machine/val_1.JPEG", error.Message);
    }

    [Fact]
    public void Labels_csv_without_a_label_column_names_it()
    {
        using var dir = new TempDir();
        var classes = dir.Text("classes.json", ThreeClasses);
        var labels = dir.Text("labels.csv", "image,caption\na.png,x\n");

        var message = Assert.Throws<InvalidDataException>(() => LabeledImageDataset.FromLabelsCsv(labels, classes)).Message;

        Assert.Contains("no 'label' column", message);
        Assert.Contains("'image', 'caption'", message);
    }

    [Fact]
    public void Folder_layout_takes_classes_from_sorted_folder_names()
    {
        using var dir = new TempDir();
        var zebra = dir.Png("set/Zebra/z.png");
        var ant2 = dir.Png("set/ant/sub/2.png");
        var ant1 = dir.Png("set/ant/1.png");
        dir.Text("set/ant/notes.txt", "not an image");
        dir.Png("set/loose.png");

        var set = LabeledImageDataset.Load(Path.Combine(dir.Path, "set"));

        // Ordinal order puts upper case first, as Python's sorted() does for torchvision's ImageFolder.
        Assert.Equal(["Zebra", "ant"], set.Classes.Classes);
        Assert.Equal([new LabeledImage(zebra, 0), new LabeledImage(ant1, 1), new LabeledImage(ant2, 1)], set.Images);
        Assert.Equal("kept all 3 images", set.Skipped.Summary());
    }

    [Fact]
    public void Folder_layout_with_a_classes_file_matches_folders_to_class_names()
    {
        using var dir = new TempDir();
        var shark = dir.Png("set/great_white_shark/s.png");
        var dog = dir.Png("set/dog/d.png");
        var classes = dir.Text("classes.json", ThreeClasses);

        var set = LabeledImageDataset.FromFolders(Path.Combine(dir.Path, "set"), classes);

        Assert.Equal([new LabeledImage(dog, 1), new LabeledImage(shark, 2)], set.Images);
        Assert.Equal(3, set.Classes.Classes.Count);
    }

    [Fact]
    public void A_folder_matching_no_class_is_named()
    {
        using var dir = new TempDir();
        dir.Png("set/dog/d.png");
        dir.Png("set/horse/h.png");
        var classes = dir.Text("classes.json", ThreeClasses);

        var message = Assert.Throws<InvalidDataException>(() => LabeledImageDataset.FromFolders(Path.Combine(dir.Path, "set"), classes)).Message;

        Assert.Contains("1 folder(s) match no class", message);
        Assert.Contains("'horse'", message);
        Assert.Contains(classes, message);
    }

    [Fact]
    public void WordNet_id_folders_need_a_classes_file()
    {
        using var dir = new TempDir();
        dir.Png("set/n01440764/a.png");
        dir.Png("set/n01443537/b.png");

        var message = Assert.Throws<InvalidDataException>(() => LabeledImageDataset.FromFolders(Path.Combine(dir.Path, "set"))).Message;

        Assert.Contains("WordNet ids (n01440764, n01443537, ...)", message);
        Assert.Contains("give a classes file", message);
    }

    [Fact]
    public void WordNet_id_folders_map_to_the_classes_in_sorted_id_order_only_when_every_class_has_a_folder()
    {
        using var dir = new TempDir();
        var tench = dir.Png("set/n01440764/a.png");
        var goldfish = dir.Png("set/n01443537/b.png");
        var two = dir.Text("two.json", """{"classes": ["tench", "goldfish"]}""");
        var three = dir.Text("three.json", ThreeClasses);

        var set = LabeledImageDataset.FromFolders(Path.Combine(dir.Path, "set"), two);
        var message = Assert.Throws<InvalidDataException>(() => LabeledImageDataset.FromFolders(Path.Combine(dir.Path, "set"), three)).Message;

        Assert.Equal([new LabeledImage(tench, 0), new LabeledImage(goldfish, 1)], set.Images);
        Assert.Contains("2 WordNet-id folders but", message);
        Assert.Contains("has 3 classes", message);
    }

    [Fact]
    public void A_dangling_link_in_a_class_folder_is_a_missing_image()
    {
        using var dir = new TempDir();
        dir.Png("set/cat/a.png");
        File.CreateSymbolicLink(Path.Combine(dir.Path, "set/cat/b.png"), Path.Combine(dir.Path, "nowhere.png"));

        var set = LabeledImageDataset.FromFolders(Path.Combine(dir.Path, "set"));

        Assert.Equal(1, set.Count);
        Assert.Equal("skipped 1 of 2 images: 1 missing image; first: cat/b.png (missing image)", set.Skipped.Summary());
    }

    [Fact]
    public void Empty_folder_trees_are_errors()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "empty"));
        dir.Text("noimages/cat/readme.txt", "no images here");

        Assert.Contains("no class folders", Assert.Throws<InvalidDataException>(() => LabeledImageDataset.Load(Path.Combine(dir.Path, "empty"))).Message);
        Assert.Contains("no images listed", Assert.Throws<InvalidDataException>(() => LabeledImageDataset.Load(Path.Combine(dir.Path, "noimages"))).Message);
        Assert.Throws<DirectoryNotFoundException>(() => LabeledImageDataset.Load(Path.Combine(dir.Path, "absent")));
    }

    [SkippableFact]
    public void The_shared_imagenet_classes_label_a_labels_csv()
    {
        var classes = TestPaths.SharedFile("data", "zeroshot", "imagenet1k.json");
        Skip.If(classes is null, "shared/data/zeroshot/imagenet1k.json is absent");
        using var dir = new TempDir();
        dir.Png("val/ILSVRC2012_val_00000001.JPEG.png");
        dir.Png("val/ILSVRC2012_val_00000002.JPEG.png");
        var labels = dir.Text("val/labels.csv", "image,label\nILSVRC2012_val_00000001.JPEG.png,954\nILSVRC2012_val_00000002.JPEG.png,1000\n");

        var set = LabeledImageDataset.FromLabelsCsv(labels, classes);

        Assert.Equal(954, Assert.Single(set.Images).Label);
        Assert.Equal("banana", set.Classes.Classes[954]);
        Assert.Equal(80, set.Classes.Templates.Count);
        Assert.Equal("label 1000, classes are 0..999", Assert.Single(set.Skipped.Examples).Detail);
    }
}
