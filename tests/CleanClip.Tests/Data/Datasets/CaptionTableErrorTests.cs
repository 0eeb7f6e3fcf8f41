using CleanClip.Data;
using Xunit;

namespace CleanClip.Tests.Data.Datasets;

/// <summary>A table that cannot be read at all is an error that names the file and says what was expected.</summary>
public class CaptionTableErrorTests
{
    private static InvalidDataException LoadFails(string path, CaptionTableOptions? options = null)
    {
        var error = Assert.Throws<InvalidDataException>(() => ImageCaptionDataset.Load(path, options));
        Assert.Contains(path, error.Message);
        return error;
    }

    [Fact]
    public void A_missing_file_is_not_found()
    {
        using var dir = new TempDir();
        var path = dir.File("nope.csv");

        var error = Assert.Throws<FileNotFoundException>(() => ImageCaptionDataset.Load(path));

        Assert.Equal(path, error.FileName);
        Assert.Contains(path, error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n  \n")]
    public void An_empty_file_has_no_header(string content)
    {
        using var dir = new TempDir();

        Assert.Contains("empty file, expected a header", LoadFails(dir.Text("train.csv", content)).Message);
    }

    [Fact]
    public void A_header_without_rows_is_an_error()
    {
        using var dir = new TempDir();

        Assert.Contains("no rows after the header", LoadFails(dir.Text("train.csv", "image,caption\n")).Message);
    }

    [Fact]
    public void A_missing_caption_column_names_the_key_the_columns_found_and_the_options()
    {
        using var dir = new TempDir();

        var message = LoadFails(dir.Text("train.csv", "image,text\na.png,x\n")).Message;

        Assert.Contains("no 'caption' column", message);
        Assert.Contains("columns found: 'image', 'text'", message);
        Assert.Contains("--caption-key", message);
        Assert.Contains("--image-key", message);
        Assert.Contains("--delimiter", message);
    }

    [Fact]
    public void A_missing_image_column_is_named()
    {
        using var dir = new TempDir();

        var message = LoadFails(dir.Text("train.csv", "path,caption\na.png,x\n")).Message;

        Assert.Contains("no 'image' column", message);
        Assert.Contains("'path', 'caption'", message);
    }

    [Fact]
    public void A_tab_separated_file_read_with_commas_is_recognised()
    {
        using var dir = new TempDir();

        var message = LoadFails(dir.Text("train.csv", "image\tcaption\na.png\tx\n")).Message;

        Assert.Contains("columns found: 'image\\tcaption'", message);
        Assert.Contains("looks tab-separated", message);
    }

    [Fact]
    public void A_comma_separated_file_read_with_tabs_is_recognised()
    {
        using var dir = new TempDir();

        Assert.Contains("looks comma-separated", LoadFails(dir.Text("train.tsv", "image,caption\na.png,x\n")).Message);
    }

    [Fact]
    public void A_header_differing_only_in_case_or_spaces_is_suggested()
    {
        using var dir = new TempDir();

        Assert.Contains("Did you mean 'Caption '", LoadFails(dir.Text("train.csv", "image,Caption \na.png,x\n")).Message);
    }

    [Fact]
    public void A_headerless_table_is_told_it_needs_a_header()
    {
        using var dir = new TempDir();

        var message = LoadFails(dir.Text("train.csv", "images/a.png,a caption\nimages/b.png,another\n")).Message;

        Assert.Contains("looks like data", message);
    }

    [Fact]
    public void An_unterminated_quote_names_the_line_where_the_record_starts()
    {
        using var dir = new TempDir();
        dir.Png("a.png");

        var error = LoadFails(dir.Text("train.csv", "image,caption\na.png,\"two\nlines\"\na.png,\"never closed\na.png,x\n"));

        Assert.Contains("line 4: malformed record", error.Message);
        Assert.Contains("never closed", error.Message);
    }

    [Fact]
    public void A_stray_quote_inside_an_unquoted_field_names_its_line()
    {
        using var dir = new TempDir();
        dir.Png("a.png");

        var message = LoadFails(dir.Text("train.csv", "image,caption\na.png,ok\na.png,say \"hi\" now\n")).Message;

        Assert.Contains("line 3: malformed record", message);
    }

    [Fact]
    public void A_table_with_no_usable_row_is_an_error_that_says_why()
    {
        using var dir = new TempDir();

        var message = LoadFails(dir.Text("train.csv", "image,caption\ngone.png,x\nalso-gone.png,y\n")).Message;

        Assert.Contains("no usable rows: skipped 2 of 2 rows: 2 missing image; first: line 2 gone.png (missing image)", message);
    }
}
