using CleanClip.Training.Logging;
using Xunit;

namespace CleanClip.Tests.Training.Logging;

public class TrainingLogTests
{
    [Fact]
    public void LinesGoToJsonlAndTheirNumbersToTensorBoardTags()
    {
        using var dir = new TempDir();
        using (var log = new TrainingLog(dir.Path))
        {
            log.Log(new MetricsLine { Kind = "step", Step = 1, Loss = 2.5, ClipLoss = 2.0, InModalLoss = 0.5, LearningRate = 1e-5, LogitScale = 4.5, PairsPerSecond = 12 });
            log.Log(new MetricsLine { Kind = "epoch", Epoch = 0, Step = 2, Loss = 2.25, ValidationLoss = 2.75 });
            log.Log(new MetricsLine { Kind = "eval", Epoch = 0, Step = 2, CleanAccuracy = 0.5, AttackSuccessRate = 0.25 });
        }
        Assert.Equal(3, MetricsLine.ReadAll(Path.Combine(dir.Path, "metrics.jsonl")).Count);
        var scalars = TensorBoardReader.ReadScalars(dir.Path).Select(s => (s.Tag, s.Step, s.Value)).ToList();
        Assert.Equal(
        [
            ("train/loss", 1L, 2.5f), ("train/clip_loss", 1, 2.0f), ("train/in_modal_loss", 1, 0.5f),
            ("train/learning_rate", 1, 1e-5f), ("train/logit_scale", 1, 4.5f), ("train/pairs_per_second", 1, 12f),
            ("epoch/loss", 2, 2.25f), ("val/loss", 2, 2.75f),
            ("eval/clean_accuracy", 2, 0.5f), ("eval/attack_success_rate", 2, 0.25f),
        ], scalars);
    }

    [Fact]
    public void ResumeTruncatesMetricsAndTellsTensorBoardToDropTheKilledRunsTail()
    {
        using var dir = new TempDir();
        using (var log = new TrainingLog(dir.Path, time: FixedTime.AtUnixMilliseconds(1_000_000)))
            for (long step = 1; step <= 6; step++)
                log.Log(new MetricsLine { Kind = "step", Step = step, Loss = 10 - step });
        using (var log = new TrainingLog(dir.Path, resumedStep: 4, time: FixedTime.AtUnixMilliseconds(2_000_000)))
            log.Log(new MetricsLine { Kind = "step", Step = 5, Loss = 4.5 });

        Assert.Equal([1L, 2, 3, 4, 5], MetricsLine.ReadAll(Path.Combine(dir.Path, "metrics.jsonl")).Select(l => l.Step));
        Assert.Equal(4.5, MetricsLine.ReadAll(Path.Combine(dir.Path, "metrics.jsonl"))[^1].Loss);
        var second = TensorBoardReader.ReadEvents(Path.Combine(dir.Path, "events.out.tfevents.2000." + Environment.MachineName));
        Assert.Equal((5L, 1), (second[1].Step, second[1].SessionStatus));      // START at 5 purges points at steps ≥ 5
        Assert.Equal(4.5f, second[2].Values.Single().Value);
    }

    [Fact]
    public void WithoutTensorBoardOnlyTheJsonlIsWritten()
    {
        using var dir = new TempDir();
        using (var log = new TrainingLog(dir.Path, tensorboard: false))
            log.Log(new MetricsLine { Kind = "step", Step = 1, Loss = 1 });
        Assert.Equal(["metrics.jsonl"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }
}
