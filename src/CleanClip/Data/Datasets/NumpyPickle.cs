using System.Text;
using CleanClip.Data.Pickle;

namespace CleanClip.Data;

/// <summary>A numpy array read from a pickle: its dtype (<c>u1</c>, <c>i4</c>, <c>i8</c>, little-endian), shape and raw C-order bytes.</summary>
public sealed record NumpyArray(string Dtype, IReadOnlyList<int> Shape, byte[] Data)
{
    public long Count => Shape.Aggregate(1L, (product, size) => product * size);
}

/// <summary>
/// Reads pickles of plain data holding numpy arrays, such as the CIFAR-10/100 python batches, with the project's
/// <see cref="RestrictedUnpickler"/>. The allow-list holds only what numpy and Python write for such data:
/// <c>numpy.core.multiarray._reconstruct</c> with <c>numpy.ndarray</c>, <c>numpy.dtype</c>,
/// <c>numpy.core.numeric._frombuffer</c> (protocol 5), <c>_codecs.encode</c> and <c>bytes</c> (how protocol 2 spells
/// bytes under Python 3), under numpy 1's <c>numpy.core</c> and numpy 2's <c>numpy._core</c> names. Each is
/// interpreted here as data (a shape, a dtype string, a buffer), so nothing named in the file is ever called.
/// Values are those of <see cref="RestrictedUnpickler"/>, with arrays as <see cref="NumpyArray"/>; Python 2 byte
/// strings arrive as strings of Latin-1 characters, one per byte.
/// </summary>
public static class NumpyPickle
{
    /// <summary>The unpickled value of <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">Not a pickle, truncated, or naming a global outside the allow-list;
    /// the message starts with the path.</exception>
    public static object? Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        try
        {
            return Unwrap(RestrictedUnpickler.Load(bytes, new Host()));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>A dict key or string value as text: Python 2 str and Python 3 bytes (ASCII names) both become strings.</summary>
    public static string? Text(object? value) => value switch
    {
        string s => s,
        byte[] b => Encoding.Latin1.GetString(b),
        _ => null,
    };

    /// <summary>Arrays still being built become <see cref="NumpyArray"/> values (in place, following shared references once).</summary>
    private static object? Unwrap(object? root)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        object? Visit(object? value)
        {
            if (value is ArrayBuilder builder) return builder.Finish();
            if (value is null || !seen.Add(value)) return value;
            switch (value)
            {
                case object?[] tuple:
                    for (int i = 0; i < tuple.Length; i++) tuple[i] = Visit(tuple[i]);
                    break;
                case List<object?> list:
                    for (int i = 0; i < list.Count; i++) list[i] = Visit(list[i]);
                    break;
                case Dictionary<object, object?> dict:
                    foreach (var key in dict.Keys.ToList()) dict[key] = Visit(dict[key]);
                    break;
            }
            return value;
        }
        return Visit(root);
    }

    private sealed record Global(string Name);

    /// <summary>A numpy.dtype: its type string (BUILD only checks its byte order).</summary>
    private sealed record Dtype(string Name);

    /// <summary>An ndarray from <c>_reconstruct</c>, empty until BUILD gives its shape, dtype and bytes.</summary>
    private sealed class ArrayBuilder
    {
        public NumpyArray? Array { get; set; }

        public NumpyArray Finish() => Array ?? throw new InvalidDataException("a numpy array was reconstructed but never given its data (no BUILD)");
    }

    private sealed class Host : IPickleHost
    {
        private static readonly Dictionary<string, string> Allowed = new(StringComparer.Ordinal)
        {
            ["numpy.core.multiarray._reconstruct"] = "_reconstruct",
            ["numpy._core.multiarray._reconstruct"] = "_reconstruct",
            ["numpy.core.numeric._frombuffer"] = "_frombuffer",
            ["numpy._core.numeric._frombuffer"] = "_frombuffer",
            ["numpy.ndarray"] = "ndarray",
            ["numpy.dtype"] = "dtype",
            ["_codecs.encode"] = "encode",
            ["__builtin__.bytes"] = "bytes",
            ["builtins.bytes"] = "bytes",
        };

        /// <summary>Element sizes of the dtypes read; CIFAR's arrays are unsigned bytes, labels may be stored as ints.</summary>
        private static readonly Dictionary<string, int> ElementSizes = new(StringComparer.Ordinal) { ["u1"] = 1, ["i4"] = 4, ["i8"] = 8 };

        public object FindGlobal(string module, string name) =>
            Allowed.TryGetValue($"{module}.{name}", out var known) ? new Global(known)
            : throw new InvalidDataException(
                $"refusing to load global '{module}.{name}': only numpy arrays and plain Python data are allowed in a dataset pickle");

        public object? Call(object? callable, object?[] args)
        {
            switch ((callable as Global)?.Name)
            {
                case "_reconstruct":
                    // numpy's ndarray.__reduce__: _reconstruct(ndarray, (0,), b'b'), the real content following in BUILD.
                    if (args.Length != 3 || args[0] is not Global { Name: "ndarray" })
                        throw new InvalidDataException("numpy _reconstruct must be called as _reconstruct(numpy.ndarray, shape, typecode)");
                    return new ArrayBuilder();
                case "_frombuffer":
                    // Protocol 5: _frombuffer(buffer, dtype, shape, order).
                    if (args.Length != 4 || args[1] is not Dtype frombufferType || args[2] is not object?[] frombufferShape)
                        throw new InvalidDataException("numpy _frombuffer must be called as _frombuffer(buffer, dtype, shape, order)");
                    if (Text(args[3]) != "C") throw new InvalidDataException($"numpy array in '{Text(args[3])}' order; only C order is read");
                    return Array(frombufferType, frombufferShape, args[0]);
                case "dtype":
                    // dtype('u1', False, True): the type string; the byte order follows in BUILD.
                    if (args.Length < 1 || Text(args[0]) is not { } name)
                        throw new InvalidDataException("numpy dtype must be called with its type string");
                    if (!ElementSizes.ContainsKey(name))
                        throw new InvalidDataException($"numpy dtype '{name}' is not read; expected one of {string.Join(", ", ElementSizes.Keys)}");
                    return new Dtype(name);
                case "encode":
                    // Protocol 2 under Python 3 writes bytes b as _codecs.encode(b.decode('latin1'), 'latin1').
                    if (args.Length != 2 || args[0] is not string text || Text(args[1]) is not ("latin1" or "latin-1"))
                        throw new InvalidDataException("_codecs.encode is only read as encode(text, 'latin1'), the form pickle writes for bytes");
                    return Encoding.Latin1.GetBytes(text);
                case "bytes":
                    if (args.Length != 0) throw new InvalidDataException("bytes(...) is only read without arguments, the form pickle writes for b''");
                    return System.Array.Empty<byte>();
                default:
                    throw new InvalidDataException($"pickle calls a {PickleValues.Describe(callable)}, which is not callable here");
            }
        }

        public object? PersistentLoad(object? pid) =>
            throw new InvalidDataException("persistent ids are not allowed in a dataset pickle");

        public void Build(object? target, object? state)
        {
            switch (target)
            {
                case Dtype dtype:
                    // State (version, byte order, subarray, names, fields, elsize, alignment, flags).
                    if (state is not object?[] { Length: >= 2 } dtypeState || Text(dtypeState[1]) is not { Length: 1 } order)
                        throw new InvalidDataException("numpy dtype state must be a tuple starting (version, byte order, ...)");
                    if (order is not ("|" or "<" or "="))
                        throw new InvalidDataException($"numpy dtype '{dtype.Name}' with byte order '{order}'; only little-endian data is read");
                    if (!BitConverter.IsLittleEndian && order == "=")
                        throw new InvalidDataException("native byte order on a big-endian machine is not read");
                    break;
                case ArrayBuilder builder:
                    // State (version, shape, dtype, is_fortran, raw data).
                    if (state is not object?[] { Length: 5 } s || s[1] is not object?[] shape || s[2] is not Dtype type)
                        throw new InvalidDataException("numpy array state must be (version, shape, dtype, is_fortran, data)");
                    if (s[3] is true or 1L) throw new InvalidDataException("numpy array in Fortran order; only C order is read");
                    builder.Array = Array(type, shape, s[4]);
                    break;
                default:
                    throw new InvalidDataException($"pickle sets the state of a {PickleValues.Describe(target)}; only numpy arrays and dtypes take state here");
            }
        }

        private static NumpyArray Array(Dtype type, object?[] shapeItems, object? raw)
        {
            var data = raw switch
            {
                byte[] b => b,
                string s => Encoding.Latin1.GetBytes(s),
                _ => throw new InvalidDataException($"numpy array data is a {PickleValues.Describe(raw)}, expected bytes"),
            };
            var shape = new int[shapeItems.Length];
            long count = 1;
            for (int i = 0; i < shape.Length; i++)
            {
                if (shapeItems[i] is not long size || size < 0 || size > int.MaxValue)
                    throw new InvalidDataException($"numpy array shape entry {i} is {PickleValues.Describe(shapeItems[i])}, expected a size >= 0");
                shape[i] = (int)size;
                count *= size;
                if (count > System.Array.MaxLength)
                    throw new InvalidDataException($"numpy array shape ({string.Join(", ", shapeItems)}) is larger than one array can hold");
            }
            long expected = count * ElementSizes[type.Name];
            if (data.LongLength != expected)
                throw new InvalidDataException(
                    $"numpy array of shape ({string.Join(", ", shape)}) and dtype '{type.Name}' needs {expected} bytes, the pickle holds {data.LongLength}");
            return new NumpyArray(type.Name, shape, data);
        }
    }
}
