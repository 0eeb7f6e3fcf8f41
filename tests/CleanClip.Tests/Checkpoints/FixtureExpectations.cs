using System.Text.Json;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Checkpoints;

/// <summary>
/// expected.json, written by tools/golden/checkpoint_fixtures.py beside the fixtures: for every tensor its dtype,
/// shape, every element (exact: f16/bf16/f32 widen to float64 without rounding) and its float64 sum.
/// </summary>
public static class FixtureExpectations
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("checkpoints", "expected.json"))));

    public static string Path(string name) => TestPaths.Fixture("checkpoints", name);

    public static JsonElement For(string fixture) => Document.Value.RootElement.GetProperty(fixture);

    private static readonly Dictionary<string, ScalarType> DtypeNames = new()
    {
        ["float64"] = ScalarType.Float64, ["float32"] = ScalarType.Float32, ["float16"] = ScalarType.Float16,
        ["bfloat16"] = ScalarType.BFloat16, ["int64"] = ScalarType.Int64, ["int32"] = ScalarType.Int32,
        ["int16"] = ScalarType.Int16, ["int8"] = ScalarType.Int8, ["uint8"] = ScalarType.Byte, ["bool"] = ScalarType.Bool,
    };

    /// <summary>Exact comparison; <paramref name="widenedTo"/> is the dtype the reader was asked to convert to, if any.</summary>
    public static void AssertTensor(JsonElement expected, Tensor actual, string name, ScalarType? widenedTo = null)
    {
        var dtype = DtypeNames[expected.GetProperty("dtype").GetString()!];
        Assert.True((widenedTo ?? dtype) == actual.dtype, $"{name}: dtype {actual.dtype}, expected {widenedTo ?? dtype}");
        var shape = expected.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.True(shape.SequenceEqual(actual.shape),
            $"{name}: shape [{string.Join(",", actual.shape)}], expected [{string.Join(",", shape)}]");
        Assert.Equal(DeviceType.CPU, actual.device_type);
        var values = expected.GetProperty("values").EnumerateArray().ToArray();
        if (torch.is_floating_point(actual))
        {
            var got = Doubles(actual);
            Assert.Equal(values.Select(v => v.GetDouble()).ToArray(), got);
            Assert.Equal(expected.GetProperty("sum").GetDouble(), got.Sum(), tolerance: 1e-9);
        }
        else
        {
            var got = Longs(actual);
            Assert.Equal(values.Select(v => v.GetInt64()).ToArray(), got);
        }
    }

    // TensorAccessor.ToArray throws on empty tensors (TorchSharp 0.107), hence the numel checks.
    public static double[] Doubles(Tensor t)
    {
        if (t.numel() == 0) return Array.Empty<double>();
        using var d = t.to(ScalarType.Float64).contiguous();
        return d.data<double>().ToArray();
    }

    public static long[] Longs(Tensor t)
    {
        if (t.numel() == 0) return Array.Empty<long>();
        using var d = t.to(ScalarType.Int64).contiguous();
        return d.data<long>().ToArray();
    }

    /// <summary>Every tensor of a describe_dict section, in the order Python wrote them.</summary>
    public static IEnumerable<(string Name, JsonElement Expected)> Tensors(JsonElement section) =>
        section.EnumerateObject().Select(p => (p.Name, p.Value));
}
