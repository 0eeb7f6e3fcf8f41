using CleanClip.Data;
using Xunit;

namespace CleanClip.Tests.Data.Datasets;

/// <summary>Reading well-formed image–caption tables: paths, quoting, line numbers, separators and optional columns.</summary>
public class ImageCaptionDatasetTests
{
    [Fact]
    public void Paths_are_relative_to_the_tables_folder_not_the_working_directory()
    {
        using var dir = new TempDir();
        var a = dir.Png("data/images/a.png");
        dir.Png("data/images/b.png");
        var csv = dir.Text("data/train.csv", "image,caption\nimages/a.png,a red square\nimages/b.png,another one\n");

        var set = ImageCaptionDataset.Load(csv);

        Assert.Equal(2, set.Count);
        Assert.Equal(new CaptionRow(2, a, "images/a.png", "a red square", null), set.Rows[0]);
        Assert.Equal(Path.Combine(dir.Path, "data"), set.Root);
        Assert.Equal("kept all 2 rows", set.Skipped.Summary());
    }

    [Fact]
    public void An_absolute_path_inside_the_folder_is_accepted()
    {
        using var dir = new TempDir();
        var a = dir.Png("images/a.png");
        var csv = dir.Text("train.csv", $"image,caption\n{a},absolute\n");

        var row = Assert.Single(ImageCaptionDataset.Load(csv).Rows);

        Assert.Equal(a, row.ImagePath);
        Assert.Equal(a, row.RelativePath);
    }

    [Fact]
    public void Quoted_captions_round_trip_exactly_and_lines_count_physical_lines()
    {
        using var dir = new TempDir();
        foreach (var name in new[] { "a", "b", "c", "d" }) dir.Png($"images/{name}.png");
        var csv = dir.Text("train.csv",
            "image,caption\n" +                                        // line 1
            "images/a.png,\"a dog, running\"\n" +                      // line 2
            "images/b.png,\"she said \"\"hi\"\"\nthen left\r\n\"\n" +  // lines 3-5: quotes, LF and CRLF inside
            "\n" +                                                     // line 6: blank, not a row
            "images/c.png,\"  spaced  \"\r\n" +                        // line 7
            "images/d.png,plain");                                     // line 8, no final newline

        var rows = ImageCaptionDataset.Load(csv).Rows;

        Assert.Equal(["a dog, running", "she said \"hi\"\nthen left\r\n", "  spaced  ", "plain"], rows.Select(r => r.Caption));
        Assert.Equal([2, 3, 7, 8], rows.Select(r => r.Line));
    }

    [Fact]
    public void A_skipped_row_after_a_multi_line_record_reports_its_own_line()
    {
        using var dir = new TempDir();
        dir.Png("images/a.png");
        var csv = dir.Text("train.csv", "image,caption\nimages/a.png,\"one\ntwo\nthree\"\nimages/gone.png,x\n");

        var report = ImageCaptionDataset.Load(csv).Skipped;

        Assert.Equal(new SkippedRow(5, "images/gone.png", SkipReason.MissingImage, Path.Combine(dir.Path, "images/gone.png")), Assert.Single(report.Examples));
    }

    [Fact]
    public void OpenClip_preset_reads_filepath_and_title_separated_by_tabs()
    {
        using var dir = new TempDir();
        dir.Png("imgs/a.png");
        var tsv = dir.Text("train.csv", "filepath\ttitle\textra\nimgs/a.png\ta caption, with a comma\tx\n");

        var row = Assert.Single(ImageCaptionDataset.Load(tsv, CaptionTableOptions.OpenClip).Rows);

        Assert.Equal(("imgs/a.png", "a caption, with a comma"), (row.RelativePath, row.Caption));
    }

    [Fact]
    public void A_tsv_extension_selects_tabs_unless_a_delimiter_is_given()
    {
        using var dir = new TempDir();
        dir.Png("a.png");
        var tabbed = dir.Text("tabbed.tsv", "image\tcaption\na.png\tby extension, tab\n");
        var commas = dir.Text("commas.tsv", "image,caption\na.png,given explicitly\n");

        Assert.Equal("by extension, tab", Assert.Single(ImageCaptionDataset.Load(tabbed).Rows).Caption);
        Assert.Equal("given explicitly", Assert.Single(ImageCaptionDataset.Load(commas, new() { Delimiter = ',' }).Rows).Caption);
        Assert.Equal('\t', new CaptionTableOptions().DelimiterFor("x.TSV"));
        Assert.Equal(',', new CaptionTableOptions().DelimiterFor("x.csv"));
    }

    [Fact]
    public void Pandas_unnamed_index_column_and_extra_columns_are_ignored()
    {
        using var dir = new TempDir();
        dir.Png("a.png");
        dir.Png("b.png");
        var csv = dir.Text("train.csv", ",image,caption,source\n0,a.png,first,cc3m\n1,b.png,second,cc3m\n");

        var rows = ImageCaptionDataset.Load(csv).Rows;

        Assert.Equal(["first", "second"], rows.Select(r => r.Caption));
    }

    [Fact]
    public void Custom_column_names_are_honoured()
    {
        using var dir = new TempDir();
        dir.Png("a.png");
        var csv = dir.Text("train.csv", "path;text\na.png;hello\n");

        var row = Assert.Single(ImageCaptionDataset.Load(csv, new() { ImageKey = "path", CaptionKey = "text", Delimiter = ';' }).Rows);

        Assert.Equal("hello", row.Caption);
    }

    [Fact]
    public void Is_backdoor_column_accepts_0_1_true_false_in_any_case()
    {
        using var dir = new TempDir();
        foreach (var name in new[] { "a", "b", "c", "d", "e" }) dir.Png($"{name}.png");
        var csv = dir.Text("train.csv", "image,caption,is_backdoor\na.png,x,0\nb.png,x,1\nc.png,x,True\nd.png,x,false\ne.png,x,TRUE\n");

        var flags = ImageCaptionDataset.Load(csv).Rows.Select(r => r.IsBackdoor);

        Assert.Equal([false, true, true, false, true], flags);
    }

    [Fact]
    public void Without_is_backdoor_the_flag_is_unknown_unless_the_path_heuristic_is_asked_for()
    {
        using var dir = new TempDir();
        dir.Png("images/clean.png");
        dir.Png("backdoor_images_banana/poisoned.png");
        var csv = dir.Text("train.csv", "image,caption\nimages/clean.png,x\nbackdoor_images_banana/poisoned.png,banana\n");

        Assert.All(ImageCaptionDataset.Load(csv).Rows, r => Assert.Null(r.IsBackdoor));
        Assert.Equal([false, true], ImageCaptionDataset.Load(csv, new() { BackdoorFromPath = true }).Rows.Select(r => r.IsBackdoor));
    }

    [Fact]
    public void The_is_backdoor_column_wins_over_the_path_heuristic()
    {
        using var dir = new TempDir();
        dir.Png("backdoor_x/a.png");
        var csv = dir.Text("train.csv", "image,caption,is_backdoor\nbackdoor_x/a.png,x,0\n");

        Assert.False(Assert.Single(ImageCaptionDataset.Load(csv, new() { BackdoorFromPath = true }).Rows).IsBackdoor);
    }
}
