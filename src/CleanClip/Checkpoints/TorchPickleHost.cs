using TorchSharp;
using static TorchSharp.torch;
using CleanClip.Data.Pickle;

namespace CleanClip.Checkpoints;

/// <summary>
/// The allow-list and the meaning of each allowed global for torch.save pickles: tensor rebuild functions, storage
/// types, dtypes, OrderedDict, torch.Size and torch.device. Anything else is refused by name at its GLOBAL opcode,
/// before it could be called, so no code or constructor from the file ever runs.
/// In check-only mode (for TorchScript archives, which LibTorch loads afterwards) nothing is built: TorchScript's own
/// classes (__torch__.*, torch.jit._pickle.*) become opaque placeholders, and every tensor's storage record and view
/// are checked, because LibTorch's loader trusts them and reads out of bounds on a short record.
/// </summary>
internal sealed class TorchPickleHost : IPickleHost, IDisposable
{
    private static readonly HashSet<string> AllowedFunctions = new()
    {
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
        "torch._tensor._rebuild_from_type_v2",
        "torch.Size", "torch.device",
        // Only as the type argument of _rebuild_from_type_v2; calling them is refused.
        "torch.Tensor", "torch.nn.parameter.Parameter",
    };

    /// <summary>A view may repeat storage elements (stride 0, overlapping strides), but a tiny storage claiming a huge
    /// view would allocate without bound when made contiguous.</summary>
    private const long MaxViewExpansion = 64;

    private readonly TorchZipArchive archive;
    private readonly bool checkOnly;
    private readonly Dictionary<string, StorageRef> storages = new();
    private readonly Dictionary<(string, ScalarType), Tensor> flats = new();

    /// <summary>Every tensor handed to the pickle, so that what the caller does not keep can be disposed.</summary>
    public List<Tensor> Created { get; } = new();

    private TorchPickleHost(TorchZipArchive archive, bool checkOnly)
    {
        this.archive = archive;
        this.checkOnly = checkOnly;
    }

    public static TorchPickleHost ForLoading(TorchZipArchive archive) => new(archive, checkOnly: false);

    public static TorchPickleHost ForTorchScriptCheck(TorchZipArchive archive) => new(archive, checkOnly: true);

    /// <summary>What check-only mode returns for a TorchScript object or a tensor it did not build.</summary>
    internal sealed record Placeholder(string What);

    private bool IsScriptModule(string module) =>
        checkOnly && (module == "__torch__" || module.StartsWith("__torch__.", StringComparison.Ordinal) || module == "torch.jit._pickle");

    public object FindGlobal(string module, string name)
    {
        var full = $"{module}.{name}";
        if (AllowedFunctions.Contains(full) || IsScriptModule(module)) return new PickleGlobal(module, name);
        if (module == "torch" && TensorDtypes.TryFromStorageClass(name, out var element)) return new StorageClass(name, element);
        if (module == "torch" && TensorDtypes.TryFromTorchDtypeName(name, out var dtype)) return new TorchDtype(dtype);
        throw new InvalidDataException(
            $"refusing to load global '{full}': only tensor rebuild functions, storage types, dtypes and OrderedDict " +
            "are allowed in a checkpoint");
    }

    public object? Call(object? callable, object?[] args)
    {
        if (callable is not PickleGlobal g)
            throw new InvalidDataException($"pickle calls a {Describe(callable)}, which is not callable");
        if (IsScriptModule(g.Module)) return new Placeholder(g.FullName);
        switch (g.FullName)
        {
            case "collections.OrderedDict":
                if (args.Length != 0) throw new InvalidDataException("OrderedDict with constructor arguments is not supported");
                return new Dictionary<object, object?>();
            case "torch._utils._rebuild_tensor":
                Arity(g, args, 4, 4);
                return Rebuild(args, null);
            case "torch._utils._rebuild_tensor_v2":
                Arity(g, args, 6, 7);
                return Rebuild(args, null);
            case "torch._utils._rebuild_tensor_v3":
                Arity(g, args, 7, 8);
                return Rebuild(args, As<TorchDtype>(args[6], "dtype").Type);
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                Arity(g, args, 3, 4);
                return checkOnly ? As<Placeholder>(args[0], "parameter data") : As<Tensor>(args[0], "parameter data");
            case "torch._tensor._rebuild_from_type_v2":
                Arity(g, args, 4, 4);
                if (args[1] is not PickleGlobal { FullName: "torch.Tensor" or "torch.nn.parameter.Parameter" })
                    throw new InvalidDataException($"tensor subclass {Describe(args[1])} is not supported");
                return Call(args[0], As<object?[]>(args[2], "arguments"));
            case "torch.Size":
                Arity(g, args, 1, 1);
                return Longs(args[0], "torch.Size").Cast<object?>().ToArray();
            case "torch.device":
                Arity(g, args, 1, 2);
                return args.Length == 2 && args[1] is long index ? $"{args[0]}:{index}" : As<string>(args[0], "device");
            default:
                throw new InvalidDataException($"'{g.FullName}' cannot be called");
        }
    }

    /// <summary>torch.save's persistent id: ('storage', storage_type, key, location, numel).</summary>
    public object? PersistentLoad(object? pid)
    {
        if (pid is not object?[] { Length: 5 } t || t[0] as string != "storage")
            throw new InvalidDataException($"unsupported persistent id {Describe(pid)}; expected ('storage', type, key, location, numel)");
        var cls = As<StorageClass>(t[1], "storage type");
        var key = As<string>(t[2], "storage key");
        var numel = As<long>(t[4], "storage size");
        if (numel < 0) throw new InvalidDataException($"storage '{key}' has a negative size {numel}");
        if (storages.TryGetValue(key, out var known))
        {
            if (known.Class != cls || known.Numel != numel)
                throw new InvalidDataException($"storage '{key}' is described twice, differently");
            return known;
        }
        var storage = new StorageRef { Key = key, Class = cls, Numel = numel };
        storages.Add(key, storage);
        return storage;
    }

    public void Build(object? target, object? state)
    {
        if (target is not Placeholder)
            throw new InvalidDataException($"pickle sets state on a {Describe(target)}, which is not supported");
    }

    public void Dispose()
    {
        foreach (var t in flats.Values) t.Dispose();
        flats.Clear();
    }

    /// <summary>
    /// (storage, storage_offset, size, stride, ...): the storage read flat, then viewed with the saved size, stride and
    /// offset. A view covering the whole storage in order shares its memory (as torch.load does); any other view is
    /// copied to a compact contiguous tensor, so permuted grids come out right and a slice does not pin its storage.
    /// </summary>
    private object Rebuild(object?[] args, ScalarType? reinterpretAs)
    {
        var storage = As<StorageRef>(args[0], "storage");
        long offset = As<long>(args[1], "storage offset");
        var size = Longs(args[2], "size");
        var stride = Longs(args[3], "stride");
        var type = reinterpretAs ?? storage.Class.ElementType;
        long storageNumel = StorageNumel(storage, type);
        long numel = CheckView(storage.Key, storageNumel, offset, size, stride);
        if (checkOnly)
        {
            archive.CheckStorage(storage);
            return new Placeholder("tensor");
        }

        var flat = Flat(storage, type);
        Tensor result;
        if (offset == 0 && numel == storageNumel && IsContiguous(size, stride))
            result = flat.reshape(size);
        else
        {
            using var view = flat.as_strided(size, stride, offset);
            result = view.is_contiguous() ? view.clone() : view.contiguous();
        }
        Created.Add(result);
        return result;
    }

    private static long StorageNumel(StorageRef storage, ScalarType type)
    {
        if (type == storage.Class.ElementType) return storage.Numel;
        int size = TensorDtypes.ElementSize(type);
        if (storage.ByteCount % size != 0)
            throw new InvalidDataException($"storage '{storage.Key}' of {storage.ByteCount} bytes cannot hold {type} elements");
        return storage.ByteCount / size;
    }

    private static long CheckView(string key, long storageNumel, long offset, long[] size, long[] stride)
    {
        string View() => $"offset {offset}, size [{string.Join(", ", size)}], stride [{string.Join(", ", stride)}]";
        if (size.Length != stride.Length || offset < 0 || size.Any(s => s < 0) || stride.Any(s => s < 0))
            throw new InvalidDataException($"tensor on storage '{key}' has an invalid view: {View()}");
        try
        {
            long numel = size.Aggregate(1L, (a, b) => checked(a * b));
            long last = offset;
            for (int i = 0; i < size.Length; i++) last = checked(last + (size[i] - 1) * stride[i]);
            bool inside = numel == 0 ? offset <= storageNumel : last < storageNumel;
            if (!inside)
                throw new InvalidDataException(
                    $"tensor view ({View()}) reaches past the end of storage '{key}' of {storageNumel} elements");
            if (numel > Math.Max(storageNumel, 1L << 20) * MaxViewExpansion)
                throw new InvalidDataException(
                    $"tensor view ({View()}) has {numel} elements, far more than its storage '{key}' of {storageNumel}");
            return numel;
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"tensor view on storage '{key}' overflows: {View()}");
        }
    }

    private static bool IsContiguous(long[] size, long[] stride)
    {
        long expected = 1;
        for (int i = size.Length - 1; i >= 0; i--)
        {
            if (size[i] == 1) continue;
            if (stride[i] != expected) return false;
            expected *= size[i];
        }
        return true;
    }

    private Tensor Flat(StorageRef storage, ScalarType type)
    {
        if (!flats.TryGetValue((storage.Key, type), out var flat))
        {
            flat = archive.ReadStorage(storage, type);
            flats.Add((storage.Key, type), flat);
        }
        return flat;
    }

    private static void Arity(PickleGlobal g, object?[] args, int min, int max)
    {
        if (args.Length < min || args.Length > max)
            throw new InvalidDataException($"'{g.FullName}' called with {args.Length} arguments");
    }

    private static T As<T>(object? value, string what) =>
        value is T t ? t : throw new InvalidDataException($"expected {what} ({typeof(T).Name}) but found {Describe(value)}");

    private static long[] Longs(object? value, string what) => value switch
    {
        object?[] tuple => tuple.Select(v => As<long>(v, what)).ToArray(),
        List<object?> list => list.Select(v => As<long>(v, what)).ToArray(),
        _ => throw new InvalidDataException($"expected {what} as a tuple of integers but found {Describe(value)}"),
    };

    internal static string Describe(object? value) => value switch
    {
        StorageClass s => $"storage type 'torch.{s.Name}'",
        TorchDtype d => $"dtype {d.Type}",
        StorageRef s => $"storage '{s.Key}'",
        Placeholder p => $"TorchScript {p.What}",
        _ => PickleValues.Describe(value),
    };
}
