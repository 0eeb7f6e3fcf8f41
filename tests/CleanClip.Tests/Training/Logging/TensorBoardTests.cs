using System.Text;
using CleanClip.Training.Logging;
using Xunit;

namespace CleanClip.Tests.Training.Logging;

public class TensorBoardTests
{
    [Fact]
    public void Crc32CMatchesPublishedVectors()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));           // the CRC catalogue's check value
        Assert.Equal(0u, Crc32C.Compute([]));
        // RFC 3720 (iSCSI) B.4: 32 bytes of zeros, of ones, and 0x00..0x1F — exercise the 8-byte path.
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
        // TFRecord's mask: rotate right by 15, add 0xa282ead8.
        Assert.Equal(0xC78AB0E5u, Crc32C.Masked("123456789"u8));
    }

    [Fact]
    public void ScalarEventBytesAreTheHandEncodedProtobufInATfRecord()
    {
        using var dir = new TempDir();
        string path;
        using (var writer = new TensorBoardWriter(dir.Path, FixedTime.AtUnixMilliseconds(1_024_500), "host"))
        {
            writer.Scalar("train/loss", 0.25, 300);
            path = writer.Path;
        }
        Assert.Equal(Path.Combine(dir.Path, "events.out.tfevents.1024.host"), path);

        byte[] wallTime = [0, 0, 0, 0, 0, 0x02, 0x90, 0x40];   // 1024.5 = 2^10·(1 + 2^-11): exponent 0x409, mantissa bit 41
        byte[] value =
        [
            0x0A, 10, .. "train/loss"u8,                        // Value.tag: field 1, wire type 2, 10 bytes
            0x15, 0x00, 0x00, 0x80, 0x3E,                       // Value.simple_value: field 2, wire type 5, 0.25f = 0x3E800000
        ];
        byte[] summary = [0x0A, (byte)value.Length, .. value];  // Summary.value: field 1, wire type 2
        byte[] expected =
        [
            0x09, .. wallTime,                                  // Event.wall_time: field 1, wire type 1 (fixed64)
            0x10, 0xAC, 0x02,                                   // Event.step: field 2, varint 300 = 0b10_0101100 → AC 02
            0x2A, (byte)summary.Length, .. summary,             // Event.summary: field 5, wire type 2
        ];
        Assert.Equal(17, value.Length);
        Assert.Equal(33, expected.Length);

        var file = File.ReadAllBytes(path);
        int first = 12 + BitConverter.ToInt32(file, 0) + 4;        // skip the file_version record
        byte[] length = [33, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(length, file[first..(first + 8)]);
        Assert.Equal(Crc32C.Masked(length), BitConverter.ToUInt32(file, first + 8));
        Assert.Equal(expected, file[(first + 12)..(first + 12 + 33)]);
        Assert.Equal(Crc32C.Masked(expected), BitConverter.ToUInt32(file, first + 12 + 33));
        Assert.Equal(first + 12 + 33 + 4, file.Length);
    }

    [Fact]
    public void FirstRecordIsTheFileVersionEvent()
    {
        using var dir = new TempDir();
        using var writer = new TensorBoardWriter(dir.Path, FixedTime.AtUnixMilliseconds(1_024_500), "host");
        writer.Flush();
        var file = File.ReadAllBytes(writer.Path);
        // wall_time; no step (proto3 leaves 0 out); file_version: field 3, wire type 2, 13 bytes.
        byte[] expected = [0x09, 0, 0, 0, 0, 0, 0x02, 0x90, 0x40, 0x1A, 13, .. "brain.Event:2"u8];
        Assert.Equal(12 + expected.Length + 4, file.Length);
        Assert.Equal(expected, file[12..^4]);
        var events = TensorBoardReader.ReadEvents(writer.Path);
        Assert.Equal("brain.Event:2", Assert.Single(events).FileVersion);
        Assert.Equal(1024.5, events[0].WallTime);
    }

    [Fact]
    public void ScalarsRoundTripThroughTheReader()
    {
        using var dir = new TempDir();
        using (var writer = new TensorBoardWriter(dir.Path))
        {
            for (long step = 0; step < 5; step++)
            {
                writer.Scalar("train/loss", 3.0 - 0.5 * step, step);
                writer.Scalar("train/learning_rate", 1e-4 * step, step);
            }
            writer.Scalar("eval/clean_accuracy", 0.1, 1L << 40);           // a step past 32 bits
        }
        var scalars = TensorBoardReader.ReadScalars(dir.Path);
        Assert.Equal(11, scalars.Count);
        Assert.Equal([3.0f, 2.5f, 2.0f, 1.5f, 1.0f], scalars.Where(s => s.Tag == "train/loss").Select(s => s.Value));
        Assert.Equal([0L, 1, 2, 3, 4], scalars.Where(s => s.Tag == "train/loss").Select(s => s.Step));
        Assert.Equal((float)3e-4, scalars.Single(s => s.Tag == "train/learning_rate" && s.Step == 3).Value);
        Assert.Equal(1L << 40, scalars.Single(s => s.Tag == "eval/clean_accuracy").Step);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.All(scalars, s => Assert.InRange(s.WallTime, now - 60, now + 1));
    }

    [Fact]
    public void SessionStartIsALogEventWithStatusStart()
    {
        using var dir = new TempDir();
        using var writer = new TensorBoardWriter(dir.Path, FixedTime.AtUnixMilliseconds(1_024_500), "host");
        writer.SessionStart(5);
        writer.Flush();
        var file = File.ReadAllBytes(writer.Path);
        // wall_time, step 5, session_log: field 7, wire type 2, 2 bytes { status: field 1 varint = START (1) }.
        byte[] expected = [0x09, 0, 0, 0, 0, 0, 0x02, 0x90, 0x40, 0x10, 5, 0x3A, 2, 0x08, 1];
        Assert.Equal(expected, file[^(expected.Length + 4)..^4]);
        Assert.Equal(1, TensorBoardReader.ReadEvents(writer.Path)[1].SessionStatus);
    }

    [Fact]
    public void ATornLastRecordIsIgnoredAndACorruptOneIsAnError()
    {
        using var dir = new TempDir();
        string path;
        using (var writer = new TensorBoardWriter(dir.Path, FixedTime.AtUnixMilliseconds(5_000), "host"))
        {
            writer.Scalar("a", 1, 1);
            writer.Scalar("a", 2, 2);
            path = writer.Path;
        }
        var bytes = File.ReadAllBytes(path);
        var torn = dir.Write("torn", bytes[..^3]);
        Assert.Equal(2, TensorBoardReader.ReadEvents(torn).Count);
        var corrupt = (byte[])bytes.Clone();
        corrupt[^6] ^= 1;                                             // the last event's float
        var corruptPath = dir.Write("corrupt", corrupt);
        var error = Assert.Throws<InvalidDataException>(() => TensorBoardReader.ReadEvents(corruptPath));
        Assert.Contains("corrupt: byte", error.Message);
        Assert.Contains("data CRC", error.Message);
    }

    [Fact]
    public void ASecondWriterInTheSameSecondGetsItsOwnFile()
    {
        using var dir = new TempDir();
        var time = FixedTime.AtUnixMilliseconds(7_000);
        using var a = new TensorBoardWriter(dir.Path, time, "host");
        using var b = new TensorBoardWriter(dir.Path, time, "host");
        Assert.EndsWith("events.out.tfevents.7.host", a.Path);
        Assert.EndsWith("events.out.tfevents.7.host.1", b.Path);
    }
}
