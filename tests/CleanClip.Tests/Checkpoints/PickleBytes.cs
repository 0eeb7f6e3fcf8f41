using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace CleanClip.Tests.Checkpoints;

/// <summary>Hand-assembled pickle programs (protocol 2, as torch.save writes) for crafted, hostile or broken inputs.</summary>
public sealed class PickleBytes
{
    private readonly MemoryStream stream = new();

    public PickleBytes(bool proto = true)
    {
        if (proto) Op(0x80).Op(2);
    }

    public PickleBytes Op(byte op)
    {
        stream.WriteByte(op);
        return this;
    }

    public PickleBytes Op(char op) => Op((byte)op);

    public PickleBytes Raw(byte[] bytes)
    {
        stream.Write(bytes);
        return this;
    }

    public PickleBytes Global(string module, string name) => Op('c').Raw(Encoding.UTF8.GetBytes($"{module}\n{name}\n"));

    public PickleBytes Str(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        return Op('X').Raw(length).Raw(bytes);
    }

    public PickleBytes Int(long value)
    {
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)value);
            return Op('J').Raw(b);
        }
        var l = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(l, value);
        return Op(0x8a).Op(8).Raw(l);
    }

    public PickleBytes Tuple(params long[] values)
    {
        Op('(');
        foreach (var v in values) Int(v);
        return Op('t');
    }

    /// <summary>_rebuild_tensor_v2(('storage', torch.&lt;cls&gt;, key, 'cpu', numel), offset, size, stride, False, OrderedDict())</summary>
    public PickleBytes Tensor(string storageClass, string key, long numel, long offset, long[] size, long[] stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2").Op('(');
        Op('(').Str("storage").Global("torch", storageClass).Str(key).Str("cpu").Int(numel).Op('t').Op('Q');
        Int(offset).Tuple(size).Tuple(stride).Op(0x89);
        Global("collections", "OrderedDict").Op(')').Op('R');
        return Op('t').Op('R');
    }

    public byte[] Stop() => Op('.').stream.ToArray();

    public byte[] ToArray() => stream.ToArray();

    /// <summary>A torch.save-like zip: top/data.pkl, top/data/&lt;key&gt; records, top/version.</summary>
    public static byte[] Zip(byte[] dataPkl, params (string Name, byte[] Data)[] records) =>
        ZipOf(new[] { ("archive/data.pkl", dataPkl), ("archive/version", "3\n"u8.ToArray()) }
            .Concat(records.Select(r => ($"archive/{r.Name}", r.Data))).ToArray());

    public static byte[] ZipOf(params (string Name, byte[] Data)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                s.Write(data);
            }
        }
        return buffer.ToArray();
    }

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }
}
