using CleanClip.Cli.Commands;
using CleanClip.Data;
using CleanClip.Tests.Data.Shards;
using CleanClip.Tests.Training;
using CleanClip.Training;
using Xunit;

namespace CleanClip.Tests.Cli;

/// <summary>
/// <c>train</c> on WebDataset shards: the shards hold the fixture table's pairs in its order, so the run sees the same
/// items in the same shuffled order with the same augmentation seeds and must write the same model, bit for bit.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class ShardTrainingTests
{
    private static readonly string[] Settings =
        ["--init", "tiny-vit", "--epochs", "1", "--batch-size", "8", "--lr", "1e-3", "--warmup", "1", "--decode-threads", "1",
         "--method", "CleanClip", "--no-wordnet", "--seed", "3"];

    /// <summary>The table's pairs as shards of <paramref name="perShard"/> samples, img2dataset-style; returns the brace pattern.</summary>
    private static string WriteShards(ImageCaptionDataset table, string folder, int perShard)
    {
        var shards = table.Rows.Chunk(perShard).Select((rows, s) => ShardFiles.Write(Path.Combine(folder, $"{s:D5}.tar"),
            rows.SelectMany((row, i) => ShardFiles.Sample($"{s * perShard + i:D9}", File.ReadAllBytes(row.ImagePath), row.Caption,
                Path.GetExtension(row.ImagePath).TrimStart('.'))))).ToList();
        return Path.Combine(folder, $"{{00000..{shards.Count - 1:D5}}}.tar");
    }

    [Fact]
    public void Training_on_shards_of_a_tables_pairs_writes_the_same_model_as_on_the_table_and_resumes_bit_identically()
    {
        using var world = new TrainerFixture(pairs: 32, finetune: 8);
        var pattern = WriteShards(world.Train, Path.Combine(world.Root, "shards"), perShard: 12);
        string Train(string data, string name, params string[] more)
        {
            var output = Path.Combine(world.Root, name);
            var (exit, text) = CliRunner.Run(TrainingCommand.Train(), ["--train-data", data, "--vocab", world.Vocab, "--out", output, .. Settings, .. more]);
            Assert.True(exit == 0, text);
            return text;
        }

        Train(world.Train.TablePath, "table");
        var output = Train(pattern, "shards");
        Assert.DoesNotContain("skipped", output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(world.Root, "table", Trainer.ModelFileName)),
            File.ReadAllBytes(Path.Combine(world.Root, "shards", Trainer.ModelFileName)));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(world.Root, "shards", ShardDataset.IndexFolderName)).Length);

        // Interrupted after one step and resumed (from the stored pattern and the kept index): the same model again.
        Train(pattern, "resumed", "--stop-after", "1");
        var resumed = CliRunner.Run(TrainingCommand.Train(), "--resume", Path.Combine(world.Root, "resumed"));
        Assert.True(resumed.Exit == 0, resumed.Output);
        Assert.Equal(File.ReadAllBytes(Path.Combine(world.Root, "shards", Trainer.ModelFileName)),
            File.ReadAllBytes(Path.Combine(world.Root, "resumed", Trainer.ModelFileName)));
    }

    [Fact]
    public void A_bad_sample_in_a_shard_is_a_note_naming_shard_and_key_and_a_malformed_pattern_one_error_line()
    {
        using var world = new TrainerFixture(pairs: 16, finetune: 8);
        var folder = Path.Combine(world.Root, "shards");
        var pattern = WriteShards(world.Train, folder, perShard: 16);
        using (var file = new FileStream(Path.Combine(folder, "00001.tar"), FileMode.Create))
        using (var writer = new System.Formats.Tar.TarWriter(file))
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "lonely.txt") { DataStream = new MemoryStream("no image"u8.ToArray()) });
        pattern = Path.Combine(folder, "{00000..00001}.tar");

        var (exit, output) = CliRunner.Run(TrainingCommand.Train(), ["--train-data", pattern, "--vocab", world.Vocab, "--out", Path.Combine(world.Root, "run"),
            .. Settings, "--stop-after", "1"]);
        Assert.True(exit == 0, output);
        Assert.Contains("skipped 1 of 17 samples: 1 no image member; first: 00001.tar/lonely (no image member)", output);

        var broken = Path.Combine(folder, "{00000..00001.tar");
        (exit, output) = CliRunner.Run(TrainingCommand.Train(), ["--train-data", broken, "--vocab", world.Vocab, "--out", Path.Combine(world.Root, "bad"), .. Settings]);
        Assert.Equal(1, exit);
        Assert.Contains($"error: shard pattern '{broken}': unbalanced braces: 1 '{{' never closed", output.ReplaceLineEndings(""));
    }
}
