using System.Formats.Tar;
using CleanClip.Data;
using CleanClip.Tests.Data.Datasets;
using CleanClip.Tests.Data.Pipeline;
using SkiaSharp;
using Xunit;
using static CleanClip.Tests.Data.Shards.ShardFiles;

namespace CleanClip.Tests.Data.Shards;

/// <summary>The streaming reader and the shard dataset built on it: grouping, skips named by shard and key, corrupt shards.</summary>
public class ShardReaderTests
{
    private static byte[] Image(int seed, bool png = false) =>
        TestImages.Encode(24 + seed % 5, 20 + seed % 3, seed, png ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg);

    [Fact]
    public void Shards_give_the_same_image_bytes_and_captions_as_a_table_of_the_same_images()
    {
        using var dir = new TempDir();
        var images = Enumerable.Range(0, 7).Select(i => Image(i, png: i % 3 == 0)).ToList();
        var captions = Enumerable.Range(0, 7).Select(i => $"a photo of thing {i}, with \"quotes\" and ünïcödé").ToList();
        var table = new List<string> { "image,caption" };
        for (int i = 0; i < images.Count; i++)
        {
            var name = $"images/{i:D9}.{(i % 3 == 0 ? "png" : "jpg")}";
            dir.Bytes(name, images[i]);
            table.Add($"{name},\"{captions[i].Replace("\"", "\"\"")}\"");
        }
        var csv = dir.Text("pairs.csv", string.Join('\n', table) + "\n");
        // Samples 0-3 in the first shard, 4-6 in the second, as img2dataset splits them.
        IEnumerable<Member> Samples(int from, int to) => Enumerable.Range(from, to - from)
            .SelectMany(i => Sample($"{i:D9}", images[i], captions[i], i % 3 == 0 ? "png" : "jpg"));
        Write(dir.File("shards/00000.tar"), Samples(0, 4));
        Write(dir.File("shards/00001.tar"), Samples(4, 7), TarEntryFormat.Ustar);

        var fromTable = ImageCaptionDataset.Load(csv);
        var fromShards = ImageCaptionDataset.Load(dir.File("shards/{00000..00001}.tar"));

        Assert.True(fromShards.IsShards);
        Assert.Equal(fromTable.Rows.Select(r => r.Caption), fromShards.Rows.Select(r => r.Caption));
        Assert.Equal(fromTable.Rows.Select(r => r.ReadBytes()), fromShards.Rows.Select(r => r.ReadBytes()));
        Assert.Equal("00001.tar/000000005.jpg", fromShards.Rows[5].RelativePath);
        Assert.Equal($"{dir.File("shards/00001.tar")}/000000005.jpg", fromShards.Rows[5].ImagePath);
        Assert.Equal(dir.File("shards"), fromShards.Root);
        Assert.Equal("kept all 7 samples", fromShards.Skipped.Summary());
        Assert.True(fromShards.Rows[5].TryReadImage(out var decoded, out _));
        Assert.Equal(fromTable.Rows[5].ReadImage().Pixels.ToArray(), decoded.Pixels.ToArray());

        // The streaming reader, reading the bytes itself, agrees and keeps the json.
        var (streamed, log) = ReadAll(dir.File("shards/00000.tar"));
        Assert.Empty(log.Skipped);
        Assert.Equal(images.Take(4), streamed.Select(s => s.Image));
        Assert.Equal(captions.Take(4), streamed.Select(s => s.Caption));
        Assert.Equal("{\"key\": \"000000002\", \"caption\": \"" + captions[2] + "\"}", streamed[2].Json);
        Assert.Equal(["000000000", "000000001", "000000002", "000000003"], streamed.Select(s => s.Key));
        var offsets = DataOffsets(dir.File("shards/00000.tar"));
        Assert.Equal(offsets["000000001.jpg"], streamed[1].ImageOffset);
    }

    [Fact]
    public void Keys_without_an_image_or_caption_are_skipped_counted_and_named_by_shard_and_key()
    {
        using var dir = new TempDir();
        var shard = Write(dir.File("s/00000.tar"), [
            .. Sample("a", Image(1), "first"),
            Member.Text("b.txt", "a caption without an image"),              // no image
            Member.Text("b.json", "{}"),
            new Member("c.jpg", Image(2)),                                   // no caption
            .. Sample("d", Image(3), "   "),                                 // whitespace caption
            new Member("e.jpg", Image(4)), new Member("e.txt", [0xff, 0xfe, 0x41]),   // not UTF-8
            new Member("f.jpg", Image(5)), new Member("f.jpg", Image(6)), Member.Text("f.txt", "twice"),   // duplicate member
            .. Sample("g", Image(7), "last"),
            Member.Text("__meta__", "ignored"),                               // webdataset's meta files and
            Member.Text("README", "ignored"),                                 // names without an extension are not samples
        ]);

        var set = ImageCaptionDataset.Load(shard);

        Assert.Equal(["first", "last"], set.Rows.Select(r => r.Caption));
        Assert.Equal(7, set.Skipped.Total);
        Assert.Equal(5, set.Skipped.SkippedCount);
        Assert.Equal([("00000.tar/b", SkipReason.NoImage), ("00000.tar/c", SkipReason.NoCaption), ("00000.tar/d", SkipReason.EmptyCaption),
                ("00000.tar/e", SkipReason.BadCaption), ("00000.tar/f", SkipReason.DuplicateMember)],
            set.Skipped.Examples.Select(e => (e.Path, e.Reason)));
        Assert.Equal("members: json, txt", set.Skipped.Examples[0].Detail);
        Assert.Equal("skipped 5 of 7 samples: 1 caption not UTF-8, 1 duplicate member, 1 empty caption, 1 no caption member, 1 no image member; first: 00000.tar/b (no image member)",
            set.Skipped.Summary());
    }

    [Fact]
    public void A_sample_keeps_its_first_image_in_OpenClips_order_and_keys_include_folders_inside_the_tar()
    {
        using var dir = new TempDir();
        byte[] png = Image(1, png: true), jpg = Image(2);
        var shard = Write(dir.File("00000.tar"), [
            new Member("part/x.seg.png", png), new Member("part/x.PNG", png), new Member("part/x.JPG", jpg), Member.Text("part/x.TXT", "upper case"),
        ]);

        var (samples, log) = ReadAll(shard);

        var sample = Assert.Single(samples);
        Assert.Empty(log.Skipped);
        Assert.Equal(("part/x", "part/x.JPG", "upper case"), (sample.Key, sample.ImageMember, sample.Caption));
        Assert.Equal(jpg, sample.Image);
        Assert.True(ShardReader.Split("a.b/c.tar.gz", out var key, out var extension));
        Assert.Equal(("a.b/c", "tar.gz"), (key, extension));
        Assert.False(ShardReader.Split("dir/.hidden", out _, out _));
        Assert.False(ShardReader.Split("noextension", out _, out _));
    }

    [Fact]
    public void A_shard_truncated_mid_member_keeps_the_samples_before_and_names_the_cut_key()
    {
        using var dir = new TempDir();
        var shard = Write(dir.File("00003.tar"), Enumerable.Range(0, 4).SelectMany(i => Sample($"k{i}", Image(i), $"caption {i}")));
        var cut = DataOffsets(shard)["k2.jpg"] + 10;
        using (var file = File.OpenWrite(shard)) file.SetLength(cut);

        var set = ImageCaptionDataset.Load(shard);

        Assert.Equal(["caption 0", "caption 1"], set.Rows.Select(r => r.Caption));
        var skip = Assert.Single(set.Skipped.Examples);
        Assert.Equal(("00003.tar/k2", SkipReason.TruncatedShard), (skip.Path, skip.Reason));
        Assert.Contains($"the shard ends at {cut}", skip.Detail);
        Assert.Empty(set.Skipped.Notes);
    }

    [Fact]
    public void A_shard_cut_inside_a_header_is_a_note_with_the_offset()
    {
        using var dir = new TempDir();
        var shard = Write(dir.File("00000.tar"), Enumerable.Range(0, 3).SelectMany(i => Sample($"k{i}", Image(i), $"caption {i}")), TarEntryFormat.Ustar);
        var header = DataOffsets(shard)["k2.jpg"] - 512;
        using (var file = File.OpenWrite(shard)) file.SetLength(header + 100);

        var set = ImageCaptionDataset.Load(shard);

        Assert.Equal(["caption 0", "caption 1"], set.Rows.Select(r => r.Caption));
        Assert.Equal($"00000.tar: unreadable tar header at byte {header} (the shard ends inside a tar header); the rest of the shard is skipped",
            Assert.Single(set.Skipped.Notes));
        Assert.True(set.Skipped.LeftOutAny);
    }

    [Fact]
    public void A_corrupt_header_skips_the_rest_of_its_shard_with_a_note_naming_shard_and_offset_and_other_shards_still_load()
    {
        using var dir = new TempDir();
        var bad = Write(dir.File("shards/00000.tar"), Enumerable.Range(0, 4).SelectMany(i => Sample($"a{i}", Image(i), $"a {i}")), TarEntryFormat.Ustar);
        Write(dir.File("shards/00001.tar"), Enumerable.Range(0, 2).SelectMany(i => Sample($"b{i}", Image(i), $"b {i}")));
        var header = DataOffsets(bad)["a2.jpg"] - 512;
        using (var file = new FileStream(bad, FileMode.Open))
        {
            file.Position = header + 148;   // the checksum field
            file.Write("zzzzzzz"u8);
        }

        var set = ImageCaptionDataset.Load(dir.File("shards/{00000..00001}.tar"));

        Assert.Equal(["a 0", "a 1", "b 0", "b 1"], set.Rows.Select(r => r.Caption));
        var note = Assert.Single(set.Skipped.Notes);
        Assert.StartsWith($"00000.tar: unreadable tar header at byte {header} (", note);
        Assert.EndsWith("); the rest of the shard is skipped", note);
        Assert.Equal($"kept all 4 samples; {note}", set.Skipped.Summary());
    }

    [Fact]
    public void An_undecodable_image_is_named_by_shard_and_member_and_skipped_when_images_are_checked()
    {
        using var dir = new TempDir();
        var good = Image(1);
        var shard = Write(dir.File("00000.tar"), [.. Sample("good", good, "fine"), .. Sample("bad", good[..(good.Length / 2)], "cut in half")]);

        var unchecked_ = ImageCaptionDataset.Load(shard);
        Assert.Equal(2, unchecked_.Count);
        Assert.False(unchecked_.Rows[1].TryReadImage(out _, out var reason));
        Assert.StartsWith($"cannot decode image: {shard}/bad.jpg: ", reason);

        var checked_ = ImageCaptionDataset.Load(shard, new CaptionTableOptions { CheckImages = true });
        Assert.Equal("fine", Assert.Single(checked_.Rows).Caption);
        var skip = Assert.Single(checked_.Skipped.Examples);
        Assert.Equal(("00000.tar/bad.jpg", SkipReason.CorruptImage), (skip.Path, skip.Reason));
        Assert.Equal("skipped 1 of 2 samples: 1 corrupt image; first: 00000.tar/bad.jpg (corrupt image)", checked_.Skipped.Summary());
    }

    [Fact]
    public void A_missing_shard_is_a_note_and_a_pattern_with_none_is_an_error()
    {
        using var dir = new TempDir();
        Write(dir.File("00000.tar"), Sample("a", Image(1), "only"));

        var set = ImageCaptionDataset.Load(dir.File("{00000..00001}.tar"));
        Assert.Equal("only", Assert.Single(set.Rows).Caption);
        Assert.Equal(["00001.tar: shard not found"], set.Skipped.Notes);

        var error = Assert.Throws<FileNotFoundException>(() => ImageCaptionDataset.Load(dir.File("{00005..00006}.tar")));
        Assert.Contains("none of its 2 shards can be read", error.Message);
        Assert.Contains("00005.tar", error.Message);
        Assert.Contains("not a .tar file", Assert.Throws<ArgumentException>(() => ImageCaptionDataset.Load(dir.File("{a.tar,b.tgz}"))).Message);
        Assert.Contains("unbalanced braces", Assert.Throws<ArgumentException>(() => ImageCaptionDataset.Load(dir.File("{0..1.tar"))).Message);
    }

    [Fact]
    public void The_index_is_kept_in_its_folder_and_rebuilt_when_the_shard_changes()
    {
        using var dir = new TempDir();
        var shard = Write(dir.File("00000.tar"), Sample("a", Image(1), "before"));
        var options = new CaptionTableOptions { ShardIndexFolder = dir.File("index") };

        Assert.Equal("before", Assert.Single(ImageCaptionDataset.Load(shard, options).Rows).Caption);
        var kept = Assert.Single(Directory.GetFiles(dir.File("index")));
        Assert.StartsWith("00000.tar.", Path.GetFileName(kept));
        // The kept index is what a second load reads: edit its caption and the load shows the edit.
        File.WriteAllText(kept, File.ReadAllText(kept).Replace("\"before\"", "\"from the index\""));
        Assert.Equal("from the index", Assert.Single(ImageCaptionDataset.Load(shard, options).Rows).Caption);

        Write(shard, [.. Sample("a", Image(1), "after"), .. Sample("b", Image(2), "more")]);
        File.SetLastWriteTimeUtc(shard, DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(["after", "more"], ImageCaptionDataset.Load(shard, options).Rows.Select(r => r.Caption));
    }

    // Hostile bytes: every byte of the first two samples' headers (pax and ustar) overwritten in turn never makes the
    // reader throw; each shard loads to some samples, a note or the one "no usable samples" error.
    [Theory]
    [InlineData(0xff)]
    [InlineData((int)'7')]
    [InlineData((int)'0')]
    [InlineData(0)]
    public void No_single_corrupt_header_byte_makes_the_reader_throw(int value)
    {
        using var dir = new TempDir();
        var shard = Write(dir.File("00000.tar"), Enumerable.Range(0, 3).SelectMany(i => Sample($"k{i}", [1, 2, 3], $"caption {i}")));
        var original = File.ReadAllBytes(shard);
        var headersEnd = DataOffsets(shard)["k1.txt"];
        for (int at = 0; at < headersEnd; at++)
        {
            if (original[at] == value) continue;
            var bytes = (byte[])original.Clone();
            bytes[at] = (byte)value;
            File.WriteAllBytes(shard, bytes);
            var log = new ShardLog();
            var samples = ShardReader.Read(shard, log).ToList();
            Assert.True(samples.Count + log.Skipped.Count > 0 || log.Stop is not null, $"byte {at}: nothing read and nothing said");
        }
    }

    // A shard written as img2dataset writes them (webdataset's TarWriter: Python's tarfile, PAX, 10240-byte records;
    // tools/golden/webdataset_shard.py), including a member path too long for a ustar header.
    [Fact]
    public void A_shard_written_by_pythons_tarfile_reads_as_img2dataset_meant_it()
    {
        var shard = TestPaths.Fixture("webdataset", "img2dataset-style.tar");

        var set = ImageCaptionDataset.Load(shard);

        var longKey = "long/" + new string('x', 120) + "/000000003";
        Assert.Equal(["a red square", "ünïcödé caption, with a comma", "a green square"], set.Rows.Select(r => r.Caption));
        Assert.Equal(["img2dataset-style.tar/000000000.png", "img2dataset-style.tar/000000001.png", $"img2dataset-style.tar/{longKey}.png"],
            set.Rows.Select(r => r.RelativePath));
        byte[][] colours = [[255, 0, 0], [0, 0, 255], [0, 255, 0]];
        for (int i = 0; i < 3; i++)
        {
            var image = set.Rows[i].ReadImage();
            Assert.Equal((8, 8), (image.Width, image.Height));
            Assert.Equal(colours[i], image.Pixels[..3].ToArray());
        }
        var skip = Assert.Single(set.Skipped.Examples);
        Assert.Equal(("img2dataset-style.tar/000000002", SkipReason.NoImage, "members: json"), (skip.Path, skip.Reason, skip.Detail));
        Assert.Empty(set.Skipped.Notes);   // the record padding after the end marker is zeros, not a damaged header

        var (streamed, _) = ReadAll(shard);
        Assert.Equal("{\"key\": \"000000001\", \"caption\": \"\\u00fcn\\u00efc\\u00f6d\\u00e9 caption, with a comma\", \"status\": \"success\"}", streamed[1].Json);
        Assert.Null(streamed[2].Json);
    }
}
