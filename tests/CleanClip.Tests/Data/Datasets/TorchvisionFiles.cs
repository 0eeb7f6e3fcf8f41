using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace CleanClip.Tests.Data.Datasets;

/// <summary>A numpy uint8 array for <see cref="TorchvisionFiles.Pickle"/>: its shape and C-order bytes.</summary>
internal sealed record U1Array(int[] Shape, byte[] Data);

/// <summary>
/// Files in the formats torchvision downloads, written byte by byte: idx (MNIST, Fashion-MNIST) and CIFAR's pickled
/// python batches, so the readers are tested without Python or numpy.
/// </summary>
internal static class TorchvisionFiles
{
    /// <summary>An idx file: 00 00, the element type, the dimension count, big-endian int32 sizes, the data.</summary>
    public static byte[] Idx(int[] shape, byte[] data, byte type = 0x08)
    {
        var bytes = new byte[4 + 4 * shape.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)shape.Length;
        for (int d = 0; d < shape.Length; d++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * d), shape[d]);
        data.CopyTo(bytes, 4 + 4 * shape.Length);
        return bytes;
    }

    public static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(bytes);
        return output.ToArray();
    }

    /// <summary>
    /// An MNIST-layout split in <paramref name="folder"/>: <c>{prefix}-images-idx3-ubyte</c> (N×28×28, image i filled
    /// with the value 10·i+1) and <c>{prefix}-labels-idx1-ubyte</c>, gzipped when <paramref name="gzip"/>.
    /// </summary>
    public static void Mnist(this TempDir dir, string folder, string prefix, byte[] labels, bool gzip = true)
    {
        const int side = 28;
        var pixels = new byte[labels.Length * side * side];
        for (int i = 0; i < labels.Length; i++) pixels.AsSpan(i * side * side, side * side).Fill((byte)(10 * i + 1));
        var images = Idx([labels.Length, side, side], pixels);
        var labelFile = Idx([labels.Length], labels);
        string ext = gzip ? ".gz" : "";
        dir.Bytes(Path.Combine(folder, $"{prefix}-images-idx3-ubyte{ext}"), gzip ? Gzip(images) : images);
        dir.Bytes(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte{ext}"), gzip ? Gzip(labelFile) : labelFile);
    }

    /// <summary>
    /// CIFAR rows (3072 bytes each, planar R, G, B planes of 32×32): image i has red 10·i+1, green 10·i+2, blue 10·i+3,
    /// except its pixel (x=1, y=0), which is (200, 100, 50).
    /// </summary>
    public static U1Array CifarRows(int count)
    {
        const int plane = 32 * 32;
        var data = new byte[count * 3 * plane];
        for (int i = 0; i < count; i++)
        {
            for (int c = 0; c < 3; c++) data.AsSpan(i * 3 * plane + c * plane, plane).Fill((byte)(10 * i + c + 1));
            data[i * 3 * plane + 1] = 200;
            data[i * 3 * plane + plane + 1] = 100;
            data[i * 3 * plane + 2 * plane + 1] = 50;
        }
        return new U1Array([count, 3 * plane], data);
    }

    /// <summary>
    /// What Python 3's <c>pickle.dump(d, f, protocol=2)</c> writes for a dict <paramref name="entries"/> with bytes keys
    /// and values that are numpy uint8 arrays (<see cref="U1Array"/>), lists of ints (<c>int[]</c>) or lists of bytes
    /// (<c>string[]</c>, ASCII). Derived from CPython's pickle.py (<c>_Pickler.save_bytes</c> writes non-empty bytes
    /// at protocol 2 as <c>_codecs.encode(text, 'latin1')</c>; <c>save_reduce</c>, <c>save_tuple</c>, memoizing by
    /// object identity, lists in APPENDS batches of 1000) and numpy's <c>ndarray.__reduce__</c>
    /// (<c>_reconstruct(ndarray, (0,), b'b')</c> with state <c>(1, shape, dtype, False, data)</c>) and
    /// <c>dtype.__reduce__</c> (<c>dtype('u1', False, True)</c> with state <c>(3, '|', None, None, None, -1, -1, 0)</c>).
    /// The test <c>PickleWriterMatchesPythonsBytes</c> checks the result against bytes Python 3.11 wrote for stand-in
    /// classes whose <c>__reduce__</c> return exactly those values.
    /// </summary>
    public static byte[] Pickle(params (string Key, object Value)[] entries) => new Protocol2Writer().Dict(entries);

    private sealed class Protocol2Writer
    {
        private readonly MemoryStream output = new();
        private readonly Dictionary<string, int> memo = new(StringComparer.Ordinal);
        private int next;

        public byte[] Dict((string Key, object Value)[] entries)
        {
            Op(0x80, 2); // PROTO 2
            Op((byte)'}'); Put();
            if (entries.Length > 1) Op((byte)'(');
            foreach (var (key, value) in entries)
            {
                Bytes(key);
                Value(value);
                if (entries.Length == 1) Op((byte)'s');
            }
            if (entries.Length > 1) Op((byte)'u');
            Op((byte)'.');
            return output.ToArray();
        }

        private void Value(object value)
        {
            switch (value)
            {
                case U1Array array: Array(array); break;
                case int[] ints: List(ints.Length, i => Int(ints[i])); break;
                case string[] names: List(names.Length, i => Bytes(names[i])); break;
                default: throw new ArgumentException($"unsupported value {value.GetType().Name}");
            }
        }

        private void Array(U1Array array)
        {
            Global("numpy.core.multiarray", "_reconstruct");
            Global("numpy", "ndarray");
            Int(0); Op(0x85); Put();                        // (0,)
            Bytes("b");                                     // b'b'
            Op(0x87); Put();                                // (ndarray, (0,), b'b')
            Op((byte)'R'); Put();                           // the empty array
            Op((byte)'(');
            Int(1);
            foreach (var size in array.Shape) Int(size);
            Op(array.Shape.Length switch { 1 => 0x85, 2 => 0x86, 3 => 0x87, _ => throw new ArgumentException("shape rank") }); Put();
            Global("numpy", "dtype");
            Unicode("u1"); Put();
            Op(0x89); Op(0x88); Op(0x87); Put();            // ('u1', False, True)
            Op((byte)'R'); Put();
            Op((byte)'(');
            Int(3); Unicode("|"); Put();
            Op((byte)'N'); Op((byte)'N'); Op((byte)'N');
            BinInt(-1); BinInt(-1); Int(0);
            Op((byte)'t'); Put();
            Op((byte)'b');                                  // dtype state
            Op(0x89);                                       // is_fortran False
            Bytes(Encoding.Latin1.GetString(array.Data));
            Op((byte)'t'); Put();
            Op((byte)'b');                                  // array state
        }

        private void List(int count, Action<int> item)
        {
            Op((byte)']'); Put();
            for (int start = 0; start < count; start += 1000)
            {
                int batch = Math.Min(1000, count - start);
                if (batch > 1) Op((byte)'(');
                for (int i = start; i < start + batch; i++) item(i);
                Op(batch > 1 ? (byte)'e' : (byte)'a');
            }
        }

        /// <summary>Non-empty bytes at protocol 2: <c>_codecs.encode(text, 'latin1')</c>, the global and 'latin1' memoized once.</summary>
        private void Bytes(string latin1)
        {
            Global("_codecs", "encode");
            Unicode(latin1); Put();
            if (memo.TryGetValue("str:latin1", out var id)) Get(id);
            else { Unicode("latin1"); Put("str:latin1"); }
            Op(0x86); Put();
            Op((byte)'R'); Put();
        }

        private void Global(string module, string name)
        {
            var key = $"global:{module}.{name}";
            if (memo.TryGetValue(key, out var id)) { Get(id); return; }
            Op((byte)'c');
            output.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
            Put(key);
        }

        private void Unicode(string text)
        {
            var utf8 = Encoding.UTF8.GetBytes(text);
            Op((byte)'X');
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
            output.Write(length);
            output.Write(utf8);
        }

        private void Int(int value)
        {
            if (value is >= 0 and < 256) Op((byte)'K', (byte)value);
            else if (value is >= 0 and < 65536) { Op((byte)'M'); output.WriteByte((byte)value); output.WriteByte((byte)(value >> 8)); }
            else BinInt(value);
        }

        private void BinInt(int value)
        {
            Op((byte)'J');
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
            output.Write(bytes);
        }

        private void Put(string? key = null)
        {
            int id = next++;
            if (key is not null) memo[key] = id;
            Memo((byte)'q', (byte)'r', id); // BINPUT / LONG_BINPUT
        }

        private void Get(int id) => Memo((byte)'h', (byte)'j', id); // BINGET / LONG_BINGET

        private void Memo(byte oneByte, byte fourBytes, int id)
        {
            if (id < 256) Op(oneByte, (byte)id);
            else
            {
                Op(fourBytes);
                Span<byte> bytes = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)id);
                output.Write(bytes);
            }
        }

        private void Op(params byte[] bytes) => output.Write(bytes);
    }

    /// <summary>A CIFAR-10 folder as torchvision leaves it: <c>cifar-10-batches-py/</c> with five train batches of
    /// <paramref name="perTrainBatch"/> images, a test batch with <paramref name="testLabels"/> and batches.meta.</summary>
    public static string Cifar10(this TempDir dir, string root, int[] testLabels, int perTrainBatch = 1)
    {
        var folder = Path.Combine(root, "cifar-10-batches-py");
        string[] names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];
        dir.Bytes(Path.Combine(folder, "batches.meta"), Pickle(("label_names", names)));
        for (int b = 1; b <= 5; b++)
            dir.Bytes(Path.Combine(folder, $"data_batch_{b}"),
                Pickle(("data", CifarRows(perTrainBatch)), ("labels", Enumerable.Repeat(b, perTrainBatch).ToArray())));
        dir.Bytes(Path.Combine(folder, "test_batch"), Pickle(("data", CifarRows(testLabels.Length)), ("labels", testLabels)));
        return Path.Combine(dir.Path, folder);
    }
}
