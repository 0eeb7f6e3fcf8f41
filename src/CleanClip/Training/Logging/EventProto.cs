using System.Buffers.Binary;
using System.Text;

namespace CleanClip.Training.Logging;

/// <summary>
/// The few fields of TensorFlow's <c>Event</c> protobuf that scalar logging needs, encoded by hand (no protobuf
/// package): Event { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5;
/// SessionLog session_log = 7 }, Summary { repeated Value value = 1 }, Value { string tag = 1; float simple_value = 2 },
/// SessionLog { SessionStatus status = 1 } with START = 1.
/// </summary>
public static class EventProto
{
    // Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.
    private const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;

    public static byte[] FileVersion(double wallTime) =>
        Event(wallTime, step: 0, body => LengthField(body, 3, Encoding.UTF8.GetBytes("brain.Event:2")));

    public static byte[] Scalar(double wallTime, long step, string tag, float value) =>
        Event(wallTime, step, body =>
        {
            var val = new MemoryStream();
            LengthField(val, 1, Encoding.UTF8.GetBytes(tag));
            Key(val, 2, Fixed32);
            Span<byte> f = stackalloc byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(f, value);
            val.Write(f);
            var summary = new MemoryStream();
            LengthField(summary, 1, val.ToArray());
            LengthField(body, 5, summary.ToArray());
        });

    /// <summary>
    /// SessionLog START at <paramref name="step"/>: TensorBoard then discards the data it already holds for steps
    /// ≥ step, so a resumed run's event files show one curve instead of the killed run's tail overlapping it.
    /// </summary>
    public static byte[] SessionStart(double wallTime, long step) =>
        Event(wallTime, step, body =>
        {
            var log = new MemoryStream();
            Key(log, 1, Varint);
            WriteVarint(log, 1);
            LengthField(body, 7, log.ToArray());
        });

    private static byte[] Event(double wallTime, long step, Action<MemoryStream> rest)
    {
        var body = new MemoryStream();
        Key(body, 1, Fixed64);
        Span<byte> d = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(d, wallTime);
        body.Write(d);
        // proto3 leaves zero-valued scalars out, as TensorFlow's own writer does for step 0.
        if (step != 0)
        {
            Key(body, 2, Varint);
            WriteVarint(body, (ulong)step);
        }
        rest(body);
        return body.ToArray();
    }

    private static void Key(Stream s, int field, int wireType) => WriteVarint(s, (ulong)((field << 3) | wireType));

    private static void LengthField(Stream s, int field, byte[] bytes)
    {
        Key(s, field, LengthDelimited);
        WriteVarint(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    public static void WriteVarint(Stream s, ulong value)
    {
        while (value >= 0x80)
        {
            s.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        s.WriteByte((byte)value);
    }
}
