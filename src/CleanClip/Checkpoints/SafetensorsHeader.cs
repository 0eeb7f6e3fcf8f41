using System.Buffers.Binary;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TorchSharp;

namespace CleanClip.Checkpoints;

internal sealed record SafetensorsEntry(string Name, torch.ScalarType Type, long[] Shape, long Begin, long End)
{
    public long ByteCount => End - Begin;
}

/// <summary>
/// The safetensors header: an 8-byte little-endian length, then that many bytes of UTF-8 JSON mapping each tensor
/// name to dtype, shape and [begin, end) offsets into the data section that follows, plus an optional
/// "__metadata__" string map. Validation follows the reference implementation: the tensors must tile the data
/// section exactly (no overlap, no gap, nothing after the last one), so whatever this accepts Python accepts too.
/// Errors are InvalidDataException; the public reader adds the file path.
/// </summary>
internal static class SafetensorsHeader
{
    public const long MaxHeaderBytes = 100_000_000;
    public const string MetadataKey = "__metadata__";

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public sealed record Parsed(List<SafetensorsEntry> Entries, Dictionary<string, string> Metadata, long DataStart);

    public static Parsed Read(Stream stream, long fileLength)
    {
        if (fileLength == 0) throw new InvalidDataException("file is empty");
        if (fileLength < 8)
            throw new InvalidDataException($"file is {fileLength} bytes, too short for the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
            throw new InvalidDataException($"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");
        if ((long)headerLength > fileLength - 8)
            throw new InvalidDataException(
                $"header length {headerLength} is larger than the {fileLength - 8} bytes after it: truncated file?");
        if (headerLength < 2) throw new InvalidDataException($"header length {headerLength} is too small for JSON");

        var json = new byte[headerLength];
        stream.ReadExactly(json);
        long dataStart = 8 + (long)headerLength;
        var (entries, metadata) = ParseJson(json);
        CheckLayout(entries, fileLength - dataStart);
        return new Parsed(entries, metadata, dataStart);
    }

    private static (List<SafetensorsEntry>, Dictionary<string, string>) ParseJson(byte[] json)
    {
        try
        {
            // JsonDocument defers UTF-8 checks of strings until they are read; check the whole header up front.
            StrictUtf8.GetCharCount(json);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException("header is not valid UTF-8");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (Exception e) when (e is JsonException or ArgumentException or DecoderFallbackException)
        {
            throw new InvalidDataException($"header is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"header JSON is a {doc.RootElement.ValueKind}, not an object");
            var entries = new List<SafetensorsEntry>();
            var metadata = new Dictionary<string, string>();
            var seen = new HashSet<string>();
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new InvalidDataException($"duplicate key '{property.Name}' in the header");
                if (property.Name == MetadataKey)
                    ParseMetadata(property.Value, metadata);
                else
                    entries.Add(ParseEntry(property.Name, property.Value));
            }
            return (entries, metadata);
        }
    }

    private static void ParseMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{MetadataKey} must be an object of strings");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"{MetadataKey} value for '{item.Name}' is not a string");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static SafetensorsEntry ParseEntry(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"tensor '{name}': entry is a {value.ValueKind}, not an object");
        if (!value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"tensor '{name}': missing or non-string dtype");
        var dtypeName = dtype.GetString()!;
        if (!TensorDtypes.TryFromSafetensors(dtypeName, out var type))
            throw new InvalidDataException(
                $"tensor '{name}': unsupported dtype '{dtypeName}' (supported: {TensorDtypes.SupportedSafetensorsNames})");
        var shape = ReadIntegers(name, value, "shape", null);
        var offsets = ReadIntegers(name, value, "data_offsets", 2);
        if (offsets[0] > offsets[1])
            throw new InvalidDataException($"tensor '{name}': data_offsets [{offsets[0]}, {offsets[1]}] run backwards");
        var entry = new SafetensorsEntry(name, type, shape, offsets[0], offsets[1]);
        long expected;
        try
        {
            expected = checked(shape.Aggregate(1L, (a, b) => a * b) * TensorDtypes.ElementSize(type));
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"tensor '{name}': shape [{string.Join(", ", shape)}] overflows");
        }
        if (expected != entry.ByteCount)
            throw new InvalidDataException(
                $"tensor '{name}': byte count mismatch: data_offsets cover {entry.ByteCount} bytes but dtype {dtypeName} " +
                $"with shape [{string.Join(", ", shape)}] needs {expected}");
        return entry;
    }

    private static long[] ReadIntegers(string name, JsonElement entry, string field, int? count)
    {
        if (!entry.TryGetProperty(field, out var array) || array.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"tensor '{name}': missing or non-array {field}");
        var values = new List<long>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var v) || v < 0)
                throw new InvalidDataException($"tensor '{name}': {field} holds {item.GetRawText()}, not a non-negative integer");
            values.Add(v);
        }
        if (count is { } n && values.Count != n)
            throw new InvalidDataException($"tensor '{name}': {field} has {values.Count} values, expected {n}");
        return values.ToArray();
    }

    /// <summary>Sorts the entries into file order and checks that they tile the data section.</summary>
    private static void CheckLayout(List<SafetensorsEntry> entries, long dataLength)
    {
        var ordered = entries.Select((e, i) => (e, i)).OrderBy(x => x.e.Begin).ThenBy(x => x.e.End).ThenBy(x => x.i)
            .Select(x => x.e).ToList();
        entries.Clear();
        entries.AddRange(ordered);
        long position = 0;
        SafetensorsEntry? previous = null;
        foreach (var e in entries)
        {
            if (e.End > dataLength)
                throw new InvalidDataException(
                    $"tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] are out of range of the {dataLength}-byte " +
                    "data section (truncated file or corrupt offsets)");
            if (e.Begin < position)
                throw new InvalidDataException(
                    $"tensors '{previous!.Name}' and '{e.Name}' overlap in the data section " +
                    $"([{previous.Begin}, {previous.End}] and [{e.Begin}, {e.End}])");
            if (e.Begin > position)
                throw new InvalidDataException($"gap of {e.Begin - position} bytes in the data section before tensor '{e.Name}'");
            position = e.End;
            previous = e;
        }
        if (position != dataLength)
            throw new InvalidDataException($"{dataLength - position} unexpected bytes after the last tensor's data");
    }

    /// <summary>The header bytes (JSON padded with spaces to a multiple of 8) for tensors laid out in the given order.</summary>
    public static byte[] Build(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            foreach (var e in entries)
            {
                w.WriteStartObject(e.Name);
                TensorDtypes.TryToSafetensors(e.Type, out var dtype);
                w.WriteString("dtype", dtype);
                w.WriteStartArray("shape");
                foreach (var d in e.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(e.Begin);
                w.WriteNumberValue(e.End);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        int padding = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}
