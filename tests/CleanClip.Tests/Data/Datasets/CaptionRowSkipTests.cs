using CleanClip.Data;
using Xunit;

namespace CleanClip.Tests.Data.Datasets;

/// <summary>Rows that cannot be used are left out, counted per reason and shown by line; the rest of the table loads.</summary>
public class CaptionRowSkipTests
{
    private static SkippedRow OnlySkip(ImageCaptionDataset set) => Assert.Single(set.Skipped.Examples);

    [Fact]
    public void Empty_whitespace_and_NaN_captions_and_empty_paths_and_missing_images_are_skipped_and_summarised()
    {
        using var dir = new TempDir();
        dir.Png("ok.png");
        dir.Png("a.png");
        var csv = dir.Text("train.csv",
            "image,caption\n" +
            "ok.png,kept\n" +       // 2
            "a.png,\n" +            // 3 empty caption
            "a.png,\"   \"\n" +     // 4 whitespace caption
            "a.png,NaN\n" +         // 5 pandas' NaN written back
            "a.png,nan\n" +         // 6
            ",a caption\n" +        // 7 empty image path
            "gone.png,x\n" +        // 8 missing image
            "a.png\n");             // 9 short row: the caption is missing, as pandas reads it

        var set = ImageCaptionDataset.Load(csv);

        Assert.Equal("kept", Assert.Single(set.Rows).Caption);
        Assert.Equal(8, set.Skipped.Total);
        Assert.Equal(7, set.Skipped.SkippedCount);
        Assert.Equal(5, set.Skipped.Counts[SkipReason.EmptyCaption]);
        Assert.Equal(1, set.Skipped.Counts[SkipReason.EmptyImagePath]);
        Assert.Equal(1, set.Skipped.Counts[SkipReason.MissingImage]);
        Assert.Equal([3, 4, 5, 6, 7], set.Skipped.Examples.Select(e => e.Line));
        Assert.Equal("skipped 7 of 8 rows: 5 empty caption, 1 empty image path, 1 missing image; first: line 3 a.png (empty caption)",
            set.Skipped.Summary());
    }

    [Fact]
    public void A_bad_is_backdoor_value_skips_the_row_and_names_the_value()
    {
        using var dir = new TempDir();
        dir.Png("a.png");
        var csv = dir.Text("train.csv", "image,caption,is_backdoor\na.png,x,1\na.png,y,yes\n");

        var set = ImageCaptionDataset.Load(csv);

        var skip = OnlySkip(set);
        Assert.Equal((3, SkipReason.BadBackdoorFlag), (skip.Line, skip.Reason));
        Assert.Contains("'yes'", skip.Detail);
    }

    [Fact]
    public void A_row_with_more_fields_than_the_header_is_skipped_rather_than_truncating_its_caption()
    {
        using var dir = new TempDir();
        dir.Png("a.png");
        var csv = dir.Text("train.csv", "image,caption\na.png,fine\na.png,a dog, running\n");

        var skip = OnlySkip(ImageCaptionDataset.Load(csv));

        Assert.Equal((3, SkipReason.ExtraFields), (skip.Line, skip.Reason));
        Assert.Contains("3 fields, header has 2", skip.Detail);
    }

    [Fact]
    public void Paths_leaving_the_folder_are_skipped_unless_allowed()
    {
        using var dir = new TempDir();
        var outside = dir.Png("outside.png");
        dir.Png("data/in.png");
        var csv = dir.Text("data/train.csv", $"image,caption\nin.png,kept\n../outside.png,dotdot\n{outside},absolute\n");

        var strict = ImageCaptionDataset.Load(csv);
        var lenient = ImageCaptionDataset.Load(csv, new() { AllowOutsideRoot = true });

        Assert.Equal("kept", Assert.Single(strict.Rows).Caption);
        Assert.Equal(2, strict.Skipped.Counts[SkipReason.OutsideRoot]);
        Assert.Contains("line 3 ../outside.png (outside the dataset root)", strict.Skipped.Summary());
        Assert.Equal(["kept", "dotdot", "absolute"], lenient.Rows.Select(r => r.Caption));
    }

    [Fact]
    public void A_symbolic_link_is_judged_by_where_it_points()
    {
        using var dir = new TempDir();
        var outside = dir.Png("elsewhere/secret.png");
        var inside = dir.Png("data/images/real.png");
        File.CreateSymbolicLink(Path.Combine(dir.Path, "data/images/escape.png"), outside);
        File.CreateSymbolicLink(Path.Combine(dir.Path, "data/images/alias.png"), inside);
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "data/linked"), Path.Combine(dir.Path, "elsewhere"));
        File.CreateSymbolicLink(Path.Combine(dir.Path, "data/images/dangling.png"), Path.Combine(dir.Path, "data/images/none.png"));
        var csv = dir.Text("data/train.csv",
            "image,caption\nimages/escape.png,file link out\nimages/alias.png,file link in\nlinked/secret.png,folder link out\n" +
            "images/dangling.png,link to nothing\n");

        var strict = ImageCaptionDataset.Load(csv);
        var lenient = ImageCaptionDataset.Load(csv, new() { AllowOutsideRoot = true });

        Assert.Equal("file link in", Assert.Single(strict.Rows).Caption);
        Assert.Equal([(2, SkipReason.OutsideRoot), (4, SkipReason.OutsideRoot), (5, SkipReason.MissingImage)],
            strict.Skipped.Examples.Select(e => (e.Line, e.Reason)));
        Assert.Equal(3, lenient.Count);
    }

    [Fact]
    public void A_table_inside_a_linked_folder_keeps_its_own_images()
    {
        using var dir = new TempDir();
        dir.Png("real/images/a.png");
        dir.Text("real/train.csv", "image,caption\nimages/a.png,x\n");
        Directory.CreateSymbolicLink(Path.Combine(dir.Path, "via"), Path.Combine(dir.Path, "real"));

        var set = ImageCaptionDataset.Load(Path.Combine(dir.Path, "via", "train.csv"));

        Assert.Equal(1, set.Count);
    }

    [Fact]
    public void Corrupt_images_are_skipped_only_when_images_are_checked()
    {
        using var dir = new TempDir();
        dir.Png("good.png");
        dir.Text("bad.png", "this is not a png");
        var csv = dir.Text("train.csv", "image,caption\nbad.png,corrupt\ngood.png,fine\ngone.png,missing\n");

        var unchecked_ = ImageCaptionDataset.Load(csv);
        var checked_ = ImageCaptionDataset.Load(csv, new() { CheckImages = true });

        Assert.Equal(2, unchecked_.Count);
        Assert.Equal("fine", Assert.Single(checked_.Rows).Caption);
        // The decode pass runs after the table pass; the examples still come in line order.
        Assert.Equal([(2, SkipReason.CorruptImage), (4, SkipReason.MissingImage)], checked_.Skipped.Examples.Select(e => (e.Line, e.Reason)));
        Assert.Contains("bad.png", checked_.Skipped.Examples[0].Detail);
    }

    [Fact]
    public void The_report_keeps_only_the_first_few_examples_but_counts_all()
    {
        using var dir = new TempDir();
        dir.Png("a.png");
        var lines = Enumerable.Range(0, 20).Select(i => $"gone{i}.png,x");
        var csv = dir.Text("train.csv", "image,caption\na.png,kept\n" + string.Join("\n", lines));

        var report = ImageCaptionDataset.Load(csv).Skipped;

        Assert.Equal(20, report.Counts[SkipReason.MissingImage]);
        Assert.Equal(DatasetReport.MaxExamples, report.Examples.Count);
        Assert.Equal(Enumerable.Range(3, DatasetReport.MaxExamples), report.Examples.Select(e => e.Line));
    }
}
