using CleanClip.Data;
using Xunit;

namespace CleanClip.Tests.Data.Shards;

/// <summary>Brace expansion as webdataset's braceexpand does it; expectations written out by hand.</summary>
public class ShardPatternTests
{
    [Fact]
    public void A_zero_padded_range_keeps_its_width()
    {
        Assert.Equal(["cc3m/00000.tar", "cc3m/00001.tar", "cc3m/00002.tar", "cc3m/00003.tar", "cc3m/00004.tar", "cc3m/00005.tar",
                "cc3m/00006.tar", "cc3m/00007.tar", "cc3m/00008.tar", "cc3m/00009.tar", "cc3m/00010.tar", "cc3m/00011.tar", "cc3m/00012.tar"],
            ShardPattern.Expand("cc3m/{00000..00012}.tar"));
    }

    [Fact]
    public void Padding_follows_either_end_and_a_lone_zero_does_not_pad()
    {
        Assert.Equal(["07", "08", "09", "10"], ShardPattern.Expand("{07..10}"));
        Assert.Equal(["008", "009", "010"], ShardPattern.Expand("{8..010}"));
        Assert.Equal(["0", "1", "2"], ShardPattern.Expand("{0..2}"));
        Assert.Equal(["9", "10", "11"], ShardPattern.Expand("{9..11}"));
        // printf's %03d: the sign counts towards the width.
        Assert.Equal(["-01", "000", "001"], ShardPattern.Expand("{-01..001}"));
    }

    [Fact]
    public void Ranges_run_either_way_with_an_optional_step()
    {
        Assert.Equal(["4", "3", "2", "1"], ShardPattern.Expand("{4..1}"));
        Assert.Equal(["2", "1", "0", "-1"], ShardPattern.Expand("{2..-1}"));
        Assert.Equal(["0", "5", "10"], ShardPattern.Expand("{0..10..5}"));
        Assert.Equal(["0", "5", "10"], ShardPattern.Expand("{0..12..5}"));
        Assert.Equal(["10", "7", "4", "1"], ShardPattern.Expand("{10..0..3}"));
        Assert.Equal(["1", "2"], ShardPattern.Expand("{1..2..0}"));   // a zero step counts as 1
        Assert.Equal(["5"], ShardPattern.Expand("{5..5}"));
        Assert.Equal(["a", "c", "e"], ShardPattern.Expand("{a..e..2}"));
        Assert.Equal(["c", "b", "a"], ShardPattern.Expand("{c..a}"));
        Assert.Equal(["Y", "Z", "a", "b"], ShardPattern.Expand("{Y..b}"));
    }

    [Fact]
    public void Comma_lists_nest_and_may_hold_empty_items()
    {
        Assert.Equal(["a.tar", "b.tar"], ShardPattern.Expand("{a,b}.tar"));
        Assert.Equal(["index.html", "index.html.backup"], ShardPattern.Expand("index.html{,.backup}"));
        Assert.Equal(["python2.5", "python2.6", "python2.7", "python3.2", "python3.3"], ShardPattern.Expand("python{2.{5..7},3.{2,3}}"));
    }

    [Fact]
    public void Several_braces_multiply_with_the_leftmost_varying_slowest()
    {
        Assert.Equal(["a/0.tar", "a/1.tar", "b/0.tar", "b/1.tar"], ShardPattern.Expand("{a,b}/{0..1}.tar"));
        Assert.Equal(["x-00-a.tar", "x-00-b.tar", "x-01-a.tar", "x-01-b.tar", "x-02-a.tar", "x-02-b.tar"], ShardPattern.Expand("x-{00..02}-{a,b}.tar"));
    }

    [Fact]
    public void Double_colons_join_patterns_in_order()
    {
        Assert.Equal(["cc3m/000.tar", "cc3m/001.tar", "laion/9.tar", "extra.tar"],
            ShardPattern.Expand("cc3m/{000..001}.tar::laion/9.tar::extra.tar"));
    }

    [Fact]
    public void A_pattern_without_braces_is_one_path_and_braces_without_a_list_or_range_stay()
    {
        Assert.Equal(["data/shard.tar"], ShardPattern.Expand("data/shard.tar"));
        Assert.Equal(["{x}.tar"], ShardPattern.Expand("{x}.tar"));
        Assert.Equal(["{}.tar"], ShardPattern.Expand("{}.tar"));
        Assert.Equal(["{1..}.tar"], ShardPattern.Expand("{1..}.tar"));
        // Braces inside literal braces still expand.
        Assert.Equal(["{a1}", "{a2}"], ShardPattern.Expand("{a{1,2}}"));
    }

    [Fact]
    public void A_backslash_makes_the_next_character_literal()
    {
        Assert.Equal(["1{2", "3"], ShardPattern.Expand(@"{1\{2,3}"));
        Assert.Equal(["{a,b}.tar"], ShardPattern.Expand(@"\{a,b\}.tar"));
        Assert.Equal(["a,b.tar"], ShardPattern.Expand(@"a\,b.tar"));
    }

    [Theory]
    [InlineData("cc3m/{00000..00012.tar", "1 '{' never closed")]
    [InlineData("cc3m/{0..1}}.tar", "the '}' at character 12 closes no '{'")]
    [InlineData("cc3m/}{0..1}.tar", "the '}' at character 6 closes no '{'")]
    [InlineData("{1{2,3}", "1 '{' never closed")]
    public void Unbalanced_braces_are_one_line_naming_the_pattern(string pattern, string why)
    {
        var error = Assert.Throws<ArgumentException>(() => ShardPattern.Expand(pattern));
        Assert.Equal($"shard pattern '{pattern}': unbalanced braces: {why}", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void An_empty_pattern_in_a_list_and_a_runaway_range_are_errors()
    {
        Assert.Contains("an empty pattern", Assert.Throws<ArgumentException>(() => ShardPattern.Expand("a.tar::")).Message);
        Assert.Contains("more than 1,000,000 paths", Assert.Throws<ArgumentException>(() => ShardPattern.Expand("{0..99999999}.tar")).Message);
        Assert.Contains("more than 1,000,000 paths", Assert.Throws<ArgumentException>(() => ShardPattern.Expand("{0..9999}/{0..9999}.tar")).Message);
    }

    [Fact]
    public void Shard_input_is_told_from_a_table_by_tar_braces_or_a_list()
    {
        using var dir = new TempDir();
        var oddTable = dir.Write("pairs{1}.csv", "image,caption\n"u8.ToArray());
        Assert.True(ShardPattern.IsShardInput("shards/00000.tar"));
        Assert.True(ShardPattern.IsShardInput("shards/{00000..00003}.tar"));
        Assert.True(ShardPattern.IsShardInput("a/{x.tar,y.tar}"));
        Assert.True(ShardPattern.IsShardInput("a.tar::b.tar"));
        Assert.False(ShardPattern.IsShardInput("train.csv"));
        Assert.False(ShardPattern.IsShardInput(oddTable));
    }

    [Fact]
    public void Absolute_roots_each_relative_pattern_without_touching_braces()
    {
        var here = Directory.GetCurrentDirectory();
        Assert.Equal($"{here}/s/{{0..1}}.tar::/data/x.tar", ShardPattern.Absolute("s/{0..1}.tar::/data/x.tar"));
    }

    [Fact]
    public void Two_spellings_of_the_same_shards_in_the_same_order_are_the_same_shards()
    {
        Assert.True(ShardPattern.SameShards("s/{0..1}.tar", ShardPattern.Absolute("s/{0..1}.tar")));
        Assert.True(ShardPattern.SameShards("s/{0..1}.tar", "s/0.tar::./s/1.tar"));
        Assert.False(ShardPattern.SameShards("s/{0..1}.tar", "s/{1,0}.tar"));
        Assert.False(ShardPattern.SameShards("s/{0..1}.tar", "s/{0..1.tar"));
        Assert.False(ShardPattern.SameShards("s/{0..1}.tar", "s/table.csv"));
    }
}
