using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Razorvine.Pickle;

namespace CleanClip.Data.Pickle;

/// <summary>What the pickle machine asks of its host: every global, call and persistent id goes through here.</summary>
internal interface IPickleHost
{
    /// <summary>Resolves GLOBAL/STACK_GLOBAL/INST; throws InvalidDataException for anything not allowed.</summary>
    object FindGlobal(string module, string name);

    /// <summary>REDUCE, NEWOBJ, INST and OBJ: applies a value returned by <see cref="FindGlobal"/>.</summary>
    object? Call(object? callable, object?[] args);

    object? PersistentLoad(object? pid);

    /// <summary>BUILD on anything but a dict (dicts carry only attributes such as torch's _metadata there).</summary>
    void Build(object? target, object? state);
}

/// <summary>
/// A pickle virtual machine for checkpoint data. Razorvine's Unpickler cannot be used as is: unknown globals silently
/// become dictionaries through a process-wide constructor table (so they cannot be refused at the GLOBAL opcode
/// with their name), and plain dicts become Hashtables (losing insertion order). This one keeps Razorvine's opcode
/// table, resolves every global through <see cref="IPickleHost"/>, never reflects or instantiates anything itself,
/// is iterative (no recursion to overflow) and bounds every read by the buffer.
/// Values: None → null, bool, int → long, float → double, str → string, bytes → byte[], tuple → object?[],
/// list → List&lt;object?&gt;, dict → Dictionary&lt;object, object?&gt; (insertion order; .NET keeps it without removals).
/// </summary>
internal sealed class RestrictedUnpickler
{
    private static readonly object Mark = new();
    private readonly byte[] data;
    private readonly IPickleHost host;
    private readonly List<object?> stack = new();
    private readonly Stack<int> marks = new();
    private readonly Dictionary<long, object?> memo = new();
    private int pos;

    private RestrictedUnpickler(byte[] data, IPickleHost host)
    {
        this.data = data;
        this.host = host;
    }

    public static object? Load(byte[] data, IPickleHost host) => new RestrictedUnpickler(data, host).Run();

    private object? Run()
    {
        while (true)
        {
            byte op = ReadByte();
            if (op == Opcodes.STOP) return Pop();
            Step(op);
        }
    }

    private void Step(byte op)
    {
        switch (op)
        {
            case Opcodes.PROTO:
                if (ReadByte() > Unpickler.HIGHEST_PROTOCOL) throw new InvalidDataException("unsupported pickle protocol");
                break;
            case Opcodes.FRAME: Read(8); break;
            case Opcodes.MARK: marks.Push(stack.Count); break;
            case Opcodes.POP:
                if (stack.Count == MarkBase && marks.Count > 0) marks.Pop(); else Pop();
                break;
            case Opcodes.POP_MARK: PopMark(); break;
            case Opcodes.DUP: Push(Peek()); break;

            case Opcodes.NONE: Push(null); break;
            case Opcodes.NEWTRUE: Push(true); break;
            case Opcodes.NEWFALSE: Push(false); break;
            case Opcodes.INT: PushTextInt(ReadLine()); break;
            case Opcodes.LONG: Push(ParseLong(ReadLine().TrimEnd('L'))); break;
            case Opcodes.BININT: Push((long)BinaryPrimitives.ReadInt32LittleEndian(Read(4))); break;
            case Opcodes.BININT1: Push((long)ReadByte()); break;
            case Opcodes.BININT2: Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Read(2))); break;
            case Opcodes.LONG1: Push(DecodeLong(Read(ReadByte()))); break;
            case Opcodes.LONG4: Push(DecodeLong(Read(BinaryPrimitives.ReadInt32LittleEndian(Read(4))))); break;
            case Opcodes.FLOAT: Push(ParseDouble(ReadLine())); break;
            case Opcodes.BINFLOAT: Push(BinaryPrimitives.ReadDoubleBigEndian(Read(8))); break;

            case Opcodes.SHORT_BINUNICODE: Push(Utf8(Read(ReadByte()))); break;
            case Opcodes.BINUNICODE: Push(Utf8(Read(BinaryPrimitives.ReadUInt32LittleEndian(Read(4))))); break;
            case Opcodes.BINUNICODE8: Push(Utf8(Read(BinaryPrimitives.ReadUInt64LittleEndian(Read(8))))); break;
            case Opcodes.SHORT_BINSTRING: Push(Encoding.Latin1.GetString(Read(ReadByte()))); break;
            case Opcodes.BINSTRING: Push(Encoding.Latin1.GetString(Read(BinaryPrimitives.ReadInt32LittleEndian(Read(4))))); break;
            case Opcodes.SHORT_BINBYTES: Push(Read(ReadByte()).ToArray()); break;
            case Opcodes.BINBYTES: Push(Read(BinaryPrimitives.ReadUInt32LittleEndian(Read(4))).ToArray()); break;
            case Opcodes.BINBYTES8:
            case Opcodes.BYTEARRAY8: Push(Read(BinaryPrimitives.ReadUInt64LittleEndian(Read(8))).ToArray()); break;

            case Opcodes.EMPTY_TUPLE: Push(Array.Empty<object?>()); break;
            case Opcodes.TUPLE: Push(PopMark()); break;
            case Opcodes.TUPLE1: Push(new[] { Pop() }); break;
            case Opcodes.TUPLE2: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; }
            case Opcodes.TUPLE3: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; }
            case Opcodes.EMPTY_LIST: Push(new List<object?>()); break;
            case Opcodes.LIST: Push(new List<object?>(PopMark())); break;
            case Opcodes.APPEND: { var v = Pop(); Top<List<object?>>().Add(v); break; }
            case Opcodes.APPENDS: { var items = PopMark(); Top<List<object?>>().AddRange(items); break; }
            case Opcodes.EMPTY_DICT: Push(new Dictionary<object, object?>()); break;
            case Opcodes.DICT: { var d = new Dictionary<object, object?>(); SetItems(d, PopMark()); Push(d); break; }
            case Opcodes.SETITEM: { var v = Pop(); var k = Pop(); SetItems(Top<Dictionary<object, object?>>(), new[] { k, v }); break; }
            case Opcodes.SETITEMS: { var items = PopMark(); SetItems(Top<Dictionary<object, object?>>(), items); break; }

            case Opcodes.GLOBAL: { var module = Utf8(ReadLineBytes()); Push(host.FindGlobal(module, Utf8(ReadLineBytes()))); break; }
            case Opcodes.STACK_GLOBAL: { var name = PopAs<string>(); Push(host.FindGlobal(PopAs<string>(), name)); break; }
            case Opcodes.REDUCE:
            case Opcodes.NEWOBJ: { var args = PopAs<object?[]>(); Push(host.Call(Pop(), args)); break; }
            case Opcodes.NEWOBJ_EX:
            {
                var kwargs = PopAs<Dictionary<object, object?>>();
                var args = PopAs<object?[]>();
                if (kwargs.Count > 0) throw new InvalidDataException("keyword arguments in NEWOBJ_EX are not supported");
                Push(host.Call(Pop(), args));
                break;
            }
            case Opcodes.INST:
            {
                var cls = host.FindGlobal(Utf8(ReadLineBytes()), Utf8(ReadLineBytes()));
                Push(host.Call(cls, PopMark()));
                break;
            }
            case Opcodes.OBJ: { var items = PopMark(); if (items.Length == 0) throw Underflow(); Push(host.Call(items[0], items[1..])); break; }
            case Opcodes.BUILD:
            {
                var state = Pop();
                var target = Peek();
                if (target is not Dictionary<object, object?>) host.Build(target, state);
                break;
            }
            case Opcodes.BINPERSID: Push(host.PersistentLoad(Pop())); break;
            case Opcodes.PERSID: Push(host.PersistentLoad(Utf8(ReadLineBytes()))); break;

            case Opcodes.PUT: memo[ParseLong(ReadLine())] = Peek(); break;
            case Opcodes.BINPUT: memo[ReadByte()] = Peek(); break;
            case Opcodes.LONG_BINPUT: memo[BinaryPrimitives.ReadUInt32LittleEndian(Read(4))] = Peek(); break;
            case Opcodes.MEMOIZE: memo[memo.Count] = Peek(); break;
            case Opcodes.GET: Push(Memo(ParseLong(ReadLine()))); break;
            case Opcodes.BINGET: Push(Memo(ReadByte())); break;
            case Opcodes.LONG_BINGET: Push(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Read(4)))); break;

            default:
                throw new InvalidDataException($"unsupported pickle opcode 0x{op:x2} ('{(char)op}') at byte {pos - 1}");
        }
    }

    private int MarkBase => marks.Count > 0 ? marks.Peek() : 0;

    private void Push(object? value) => stack.Add(value);

    private object? Peek() => stack.Count > MarkBase ? stack[^1] : throw Underflow();

    private object? Pop()
    {
        var value = Peek();
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    private T Top<T>() => Peek() is T t ? t : throw WrongType<T>(Peek());

    private T PopAs<T>()
    {
        var value = Pop();
        return value is T t ? t : throw WrongType<T>(value);
    }

    private InvalidDataException WrongType<T>(object? found) =>
        new($"pickle opcode at byte {pos - 1} expects a {typeof(T).Name} on the stack, found {PickleValues.Describe(found)}");

    private object?[] PopMark()
    {
        if (marks.Count == 0) throw new InvalidDataException($"pickle opcode at byte {pos - 1} needs a MARK but there is none");
        int start = marks.Pop();
        var items = stack.GetRange(start, stack.Count - start).ToArray();
        stack.RemoveRange(start, stack.Count - start);
        return items;
    }

    private InvalidDataException Underflow() => new($"pickle stack underflow at byte {pos - 1}");

    private object? Memo(long index) =>
        memo.TryGetValue(index, out var value) ? value : throw new InvalidDataException($"pickle memo has no entry {index}");

    private static void SetItems(Dictionary<object, object?> dict, object?[] items)
    {
        if (items.Length % 2 != 0) throw new InvalidDataException("odd number of items for a dict");
        for (int i = 0; i < items.Length; i += 2)
        {
            var key = items[i];
            if (key is null or List<object?> or Dictionary<object, object?>)
                throw new InvalidDataException($"unsupported dict key {key?.GetType().Name ?? "None"}");
            dict[key] = items[i + 1];
        }
    }

    private byte ReadByte() =>
        pos < data.Length ? data[pos++] : throw new InvalidDataException("pickle data ends before its STOP opcode (truncated)");

    private ReadOnlySpan<byte> Read(long count)
    {
        if (count < 0 || count > data.Length - pos)
            throw new InvalidDataException(
                $"pickle data is truncated: byte {pos} needs {count} more bytes, {data.Length - pos} are left");
        var span = data.AsSpan(pos, (int)count);
        pos += (int)count;
        return span;
    }

    private ReadOnlySpan<byte> Read(ulong count) => Read(count > int.MaxValue ? long.MaxValue : (long)count);

    private ReadOnlySpan<byte> ReadLineBytes()
    {
        int end = Array.IndexOf(data, (byte)'\n', pos);
        if (end < 0) throw new InvalidDataException("pickle data is truncated inside a text argument");
        var line = data.AsSpan(pos, end - pos);
        pos = end + 1;
        return line;
    }

    private string ReadLine() => Encoding.ASCII.GetString(ReadLineBytes());

    private static string Utf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException("pickle string is not valid UTF-8");
        }
    }

    private void PushTextInt(string text)
    {
        if (text == "00") Push(false);
        else if (text == "01") Push(true);
        else Push(ParseLong(text));
    }

    private static long ParseLong(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v : throw new InvalidDataException($"'{text}' is not a 64-bit integer");

    private static double ParseDouble(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v : throw new InvalidDataException($"'{text}' is not a float");

    /// <summary>Python's little-endian two's-complement LONG1/LONG4 payload.</summary>
    private static long DecodeLong(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 8) throw new InvalidDataException($"integer of {bytes.Length} bytes is wider than 64 bits");
        if (bytes.Length == 0) return 0;
        long value = 0;
        for (int i = bytes.Length - 1; i >= 0; i--) value = (value << 8) | bytes[i];
        int unused = 64 - 8 * bytes.Length;
        return unused == 0 ? value : (value << unused) >> unused;
    }
}
