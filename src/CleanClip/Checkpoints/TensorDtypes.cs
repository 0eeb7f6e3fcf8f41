using TorchSharp;

namespace CleanClip.Checkpoints;

/// <summary>The element types checkpoints may hold, under the names each format gives them.</summary>
internal static class TensorDtypes
{
    private static readonly (string Safetensors, torch.ScalarType Type, int Size)[] Table =
    {
        ("F64", torch.ScalarType.Float64, 8), ("F32", torch.ScalarType.Float32, 4),
        ("F16", torch.ScalarType.Float16, 2), ("BF16", torch.ScalarType.BFloat16, 2),
        ("I64", torch.ScalarType.Int64, 8), ("I32", torch.ScalarType.Int32, 4),
        ("I16", torch.ScalarType.Int16, 2), ("I8", torch.ScalarType.Int8, 1),
        ("U8", torch.ScalarType.Byte, 1), ("BOOL", torch.ScalarType.Bool, 1),
    };

    /// <summary>PyTorch's typed storage classes (module torch); UntypedStorage is raw bytes.</summary>
    private static readonly Dictionary<string, torch.ScalarType> StorageClasses = new()
    {
        ["DoubleStorage"] = torch.ScalarType.Float64, ["FloatStorage"] = torch.ScalarType.Float32,
        ["HalfStorage"] = torch.ScalarType.Float16, ["BFloat16Storage"] = torch.ScalarType.BFloat16,
        ["LongStorage"] = torch.ScalarType.Int64, ["IntStorage"] = torch.ScalarType.Int32,
        ["ShortStorage"] = torch.ScalarType.Int16, ["CharStorage"] = torch.ScalarType.Int8,
        ["ByteStorage"] = torch.ScalarType.Byte, ["BoolStorage"] = torch.ScalarType.Bool,
        ["UntypedStorage"] = torch.ScalarType.Byte,
    };

    /// <summary>Names under which torch pickles its dtype objects (GLOBAL torch.float32 and aliases).</summary>
    private static readonly Dictionary<string, torch.ScalarType> TorchDtypeNames = new()
    {
        ["float64"] = torch.ScalarType.Float64, ["double"] = torch.ScalarType.Float64,
        ["float32"] = torch.ScalarType.Float32, ["float"] = torch.ScalarType.Float32,
        ["float16"] = torch.ScalarType.Float16, ["half"] = torch.ScalarType.Float16,
        ["bfloat16"] = torch.ScalarType.BFloat16,
        ["int64"] = torch.ScalarType.Int64, ["long"] = torch.ScalarType.Int64,
        ["int32"] = torch.ScalarType.Int32, ["int"] = torch.ScalarType.Int32,
        ["int16"] = torch.ScalarType.Int16, ["short"] = torch.ScalarType.Int16,
        ["int8"] = torch.ScalarType.Int8, ["uint8"] = torch.ScalarType.Byte, ["bool"] = torch.ScalarType.Bool,
    };

    public static string SupportedSafetensorsNames => string.Join(" ", Table.Select(e => e.Safetensors));

    public static bool TryFromSafetensors(string name, out torch.ScalarType type)
    {
        foreach (var e in Table)
            if (e.Safetensors == name) { type = e.Type; return true; }
        type = default;
        return false;
    }

    public static bool TryToSafetensors(torch.ScalarType type, out string name)
    {
        foreach (var e in Table)
            if (e.Type == type) { name = e.Safetensors; return true; }
        name = "";
        return false;
    }

    public static int ElementSize(torch.ScalarType type)
    {
        foreach (var e in Table)
            if (e.Type == type) return e.Size;
        throw new ArgumentException($"unsupported tensor dtype {type}");
    }

    public static bool TryFromStorageClass(string name, out torch.ScalarType type) =>
        StorageClasses.TryGetValue(name, out type);

    public static bool TryFromTorchDtypeName(string name, out torch.ScalarType type) =>
        TorchDtypeNames.TryGetValue(name, out type);
}
