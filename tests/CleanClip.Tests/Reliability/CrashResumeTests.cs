using System.Diagnostics;
using CleanClip.Checkpoints;
using CleanClip.Tests.Training;
using CleanClip.Training;
using CleanClip.Training.Checkpointing;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace CleanClip.Tests.Reliability;

/// <summary>
/// `cleanclip train` in a child process, SIGKILLed at seeded random moments (start-up, mid-step, mid-checkpoint-write)
/// and resumed each time; after every kill each checkpoint on disk must read back, and the final weights must equal an
/// uninterrupted run's bit for bit. CI runs <see cref="DefaultKills"/> kills; <c>CLEANCLIP_KILLS=20</c> runs the long one.
/// </summary>
[Trait(TestSpeed.Trait, TestSpeed.Slow)]
public class CrashResumeTests(ITestOutputHelper output)
{
    private const int DefaultKills = 4;

    [Fact]
    public void A_training_run_killed_at_random_moments_and_resumed_ends_bit_identical()
    {
        int kills = int.TryParse(Environment.GetEnvironmentVariable("CLEANCLIP_KILLS"), out var k) ? k : DefaultKills;
        using var world = new TrainerFixture(pairs: 96, finetune: 16);
        string[] Train(string runDir) =>
        [
            "train", "--train-data", world.Train.TablePath, "--init", "tiny-vit", "--vocab", world.Vocab, "--out", runDir,
            "--epochs", "2", "--batch-size", "4", "--lr", "1e-3", "--warmup", "2", "--decode-threads", "1", "--save-every", "1",
            "--keep", "2", "--seed", "5", "--no-tensorboard",
        ];

        var reference = Path.Combine(world.Root, "reference");
        var watch = Stopwatch.StartNew();
        CliProcess.RunToEnd(Train(reference));
        var uninterrupted = watch.Elapsed;

        // Each cycle kills one run until it completes; cycles repeat until enough kills have landed.
        var random = new Random(2026);
        int survived = 0, duringWrites = 0, cycles = 0;
        while (survived < kills)
        {
            var run = Path.Combine(world.Root, $"killed-{++cycles}");
            int before = survived;
            for (int attempt = 0; attempt < 20 && !File.Exists(Path.Combine(run, Trainer.ModelFileName)); attempt++)
            {
                // Anywhere from start-up to near the end of a whole run (start-up included), so kills land in every phase.
                var delay = TimeSpan.FromSeconds(0.3 + random.NextDouble() * 0.9 * uninterrupted.TotalSeconds);
                bool resume = HasCheckpoint(run);
                var started = Stopwatch.StartNew();
                if (!CliProcess.KillAfter(resume ? ["train", "--resume", run, "--decode-threads", "1"] : Train(run), delay))
                {
                    // A whole run finished first: the reference run was slowed by a busy machine (seen once with a demo
                    // running beside the suite: "kills stopped landing"), so aim within the faster run from now on.
                    if (!resume && started.Elapsed < uninterrupted) uninterrupted = started.Elapsed;
                    continue;
                }
                survived++;
                AssertEveryCheckpointReads(run, survived);
                var folder = Path.Combine(run, "checkpoints");
                if (Directory.Exists(folder) && Directory.GetFiles(folder, ".*.tmp").Length > 0) duringWrites++;
            }
            Assert.True(File.Exists(Path.Combine(run, Trainer.ModelFileName)), $"cycle {cycles} did not finish in 20 starts");
            Assert.True(survived > before || cycles < 5, "kills stopped landing");
            AssertSameWeights(Path.Combine(reference, Trainer.ModelFileName), Path.Combine(run, Trainer.ModelFileName));
            Assert.Empty(Directory.GetFiles(Path.Combine(run, "checkpoints"), ".*.tmp"));   // the resumed run removed them
            Directory.Delete(run, recursive: true);
        }
        output.WriteLine($"{survived} kills survived in {cycles} runs, {duringWrites} of them during a checkpoint write; " +
                         $"every run ended bit-identical to the uninterrupted one ({uninterrupted.TotalSeconds:F1} s)");
    }

    private static bool HasCheckpoint(string run) =>
        new CheckpointFolder(Path.Combine(run, "checkpoints"), 2).Latest(out _) is not null;

    private static void AssertEveryCheckpointReads(string run, int kill)
    {
        var folder = Path.Combine(run, "checkpoints");
        if (!Directory.Exists(folder)) return;
        foreach (var file in Directory.GetFiles(folder, "*.safetensors"))
        {
            var state = TrainingCheckpoint.ReadState(file);
            Assert.True(state is not null, $"after kill {kill}: {file} has no training state");
        }
    }

    private static void AssertSameWeights(string expected, string actual)
    {
        using var a = ModelLoader.Load(expected);
        using var b = ModelLoader.Load(actual);
        var bParameters = b.state_dict();
        foreach (var (name, tensor) in a.state_dict())
        {
            Assert.Equal(tensor.shape, bParameters[name].shape);
            Assert.True(tensor.bytes.SequenceEqual(bParameters[name].bytes), $"{name} differs from the uninterrupted run");
        }
    }
}
