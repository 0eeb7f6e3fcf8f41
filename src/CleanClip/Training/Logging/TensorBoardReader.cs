using System.Buffers.Binary;
using System.Text;

namespace CleanClip.Training.Logging;

/// <summary>One decoded TensorBoard event: the fields <see cref="EventProto"/> writes; other fields are skipped.</summary>
public sealed record TensorBoardEvent(double WallTime, long Step, string? FileVersion,
    IReadOnlyList<(string Tag, float Value)> Values, int? SessionStatus);

/// <summary>One scalar point, as TensorBoard would plot it.</summary>
public readonly record struct TensorBoardScalar(string Tag, long Step, float Value, double WallTime);

/// <summary>Reads event files back (both CRCs of every record checked): for tests, and for reports that want the curves.</summary>
public static class TensorBoardReader
{
    public static IReadOnlyList<TensorBoardEvent> ReadEvents(string path)
    {
        var events = new List<TensorBoardEvent>();
        int index = 0;
        foreach (var record in TfRecord.ReadAll(path))
        {
            try { events.Add(ParseEvent(record)); }
            catch (Exception e) when (e is InvalidDataException or ArgumentOutOfRangeException)
            {
                throw new InvalidDataException($"{path}: record {index}: not an Event protobuf ({e.Message})", e);
            }
            index++;
        }
        return events;
    }

    /// <summary>Every scalar of every event file in a folder (files in name order, which is creation-time order).</summary>
    public static IReadOnlyList<TensorBoardScalar> ReadScalars(string folder) =>
        [.. Directory.GetFiles(folder, "events.out.tfevents.*").Order(StringComparer.Ordinal)
            .SelectMany(ReadEvents)
            .SelectMany(e => e.Values.Select(v => new TensorBoardScalar(v.Tag, e.Step, v.Value, e.WallTime)))];

    private static TensorBoardEvent ParseEvent(byte[] bytes)
    {
        double wallTime = 0;
        long step = 0;
        string? fileVersion = null;
        int? status = null;
        var values = new List<(string, float)>();
        foreach (var (field, wire, reader) in Fields(bytes))
            switch (field, wire)
            {
                case (1, 1): wallTime = BitConverter.Int64BitsToDouble((long)reader.Fixed64); break;
                case (2, 0): step = (long)reader.Varint; break;
                case (3, 2): fileVersion = Encoding.UTF8.GetString(reader.Bytes); break;
                case (5, 2):
                    foreach (var (f, w, summary) in Fields(reader.Bytes))
                        if ((f, w) == (1, 2)) values.Add(ParseValue(summary.Bytes));
                    break;
                case (7, 2):
                    status = 0;
                    foreach (var (f, w, log) in Fields(reader.Bytes))
                        if ((f, w) == (1, 0)) status = (int)log.Varint;
                    break;
            }
        return new TensorBoardEvent(wallTime, step, fileVersion, values, status);
    }

    private static (string, float) ParseValue(byte[] bytes)
    {
        string tag = "";
        float value = 0;
        foreach (var (field, wire, reader) in Fields(bytes))
            switch (field, wire)
            {
                case (1, 2): tag = Encoding.UTF8.GetString(reader.Bytes); break;
                case (2, 5): value = BitConverter.Int32BitsToSingle((int)reader.Fixed32); break;
            }
        return (tag, value);
    }

    /// <summary>The payload of one field, already read off the wire.</summary>
    private sealed record FieldValue(ulong Varint, ulong Fixed64, uint Fixed32, byte[] Bytes);

    private static IEnumerable<(int Field, int Wire, FieldValue Value)> Fields(byte[] bytes)
    {
        int position = 0;
        while (position < bytes.Length)
        {
            ulong key = ReadVarint(bytes, ref position);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            FieldValue value = wire switch
            {
                0 => new(ReadVarint(bytes, ref position), 0, 0, []),
                1 => new(0, BinaryPrimitives.ReadUInt64LittleEndian(Take(bytes, ref position, 8)), 0, []),
                2 => new(0, 0, 0, Take(bytes, ref position, checked((int)ReadVarint(bytes, ref position))).ToArray()),
                5 => new(0, 0, BinaryPrimitives.ReadUInt32LittleEndian(Take(bytes, ref position, 4)), []),
                _ => throw new InvalidDataException($"unsupported wire type {wire} of field {field}"),
            };
            yield return (field, wire, value);
        }
    }

    private static ReadOnlySpan<byte> Take(byte[] bytes, ref int position, int count)
    {
        if (count < 0 || count > bytes.Length - position)
            throw new InvalidDataException($"a field of {count} bytes runs past the end of its message at byte {position}");
        var span = bytes.AsSpan(position, count);
        position += count;
        return span;
    }

    private static ulong ReadVarint(byte[] bytes, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= bytes.Length) throw new InvalidDataException("a varint runs past the end of its message");
            byte b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidDataException("a varint longer than 10 bytes");
    }
}
