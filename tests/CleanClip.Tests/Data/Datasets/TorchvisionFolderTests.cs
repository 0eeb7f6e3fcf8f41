using CleanClip.Data;
using Xunit;

namespace CleanClip.Tests.Data.Datasets;

/// <summary>MNIST/Fashion-MNIST idx files and CIFAR python batches, read as labeled sets in torchvision's layouts.</summary>
public class TorchvisionFolderTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    // Python 3.11: pickle.dumps({b'data': a, b'labels': [1, 0]}, protocol=2), where a is a stand-in whose __reduce__
    // returns what numpy's ndarray.__reduce__ returns for np.array([[0, 1, 127], [128, 200, 255]], dtype=np.uint8)
    // (see TorchvisionFiles.Pickle); printed with bytes.hex().
    private const string PythonPickleHex =
        "80027d710028635f636f646563730a656e636f64650a7101580400000064617461710258060000006c6174696e317103867104527105636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7106636e756d70790a6e6461727261790a71074b0085710868015801000000627109680386710a52710b87710c52710d284b014b024b0386710e636e756d70790a64747970650a710f5802000000753171108988877111527112284b0358010000007c71134e4e4e4affffffff4affffffff4b0074711462896801580900000000017fc280c388c3bf7115680386711652711774711862680158060000006c6162656c737119680386711a52711b5d711c284b014b0065752e";

    [Fact]
    public void PickleWriterMatchesPythonsBytes()
    {
        var written = TorchvisionFiles.Pickle(("data", new U1Array([2, 3], [0, 1, 127, 128, 200, 255])), ("labels", new[] { 1, 0 }));
        Assert.Equal(PythonPickleHex, Convert.ToHexStringLower(written));
    }

    [Fact]
    public void NumpyPickleReadsTheArrayAndLabelsPythonWrote()
    {
        var path = dir.Bytes("batch", Convert.FromHexString(PythonPickleHex));
        var dict = Assert.IsType<Dictionary<object, object?>>(NumpyPickle.Load(path));
        var entries = dict.ToDictionary(kv => NumpyPickle.Text(kv.Key)!, kv => kv.Value);
        var array = Assert.IsType<NumpyArray>(entries["data"]);
        Assert.Equal("u1", array.Dtype);
        Assert.Equal([2, 3], array.Shape);
        Assert.Equal(new byte[] { 0, 1, 127, 128, 200, 255 }, array.Data);
        Assert.Equal([1L, 0L], Assert.IsType<List<object?>>(entries["labels"]));
    }

    [Fact]
    public void NumpyPickleReadsPython2StringsAsTheRealCifarFilesHoldThem()
    {
        // The CIFAR python batches were written by Python 2's cPickle at protocol 2: keys and the pixel data are str,
        // pickled as SHORT_BINSTRING ('U') and BINSTRING ('T', used for the 30 MB data field), dtype's flags as ints.
        byte[] bytes =
        [
            0x80, 2, (byte)'}', (byte)'q', 1, (byte)'(',
            (byte)'U', 4, .. "data"u8, (byte)'q', 2,
            (byte)'c', .. "numpy.core.multiarray\n_reconstruct\n"u8, (byte)'q', 3,
            (byte)'c', .. "numpy\nndarray\n"u8, (byte)'q', 4,
            (byte)'K', 0, 0x85, (byte)'q', 5, (byte)'U', 1, (byte)'b', (byte)'q', 6, 0x87, (byte)'q', 7, (byte)'R', (byte)'q', 8,
            (byte)'(', (byte)'K', 1, (byte)'K', 2, (byte)'K', 3, 0x86, (byte)'q', 9,
            (byte)'c', .. "numpy\ndtype\n"u8, (byte)'q', 10, (byte)'U', 2, .. "u1"u8, (byte)'q', 11, (byte)'K', 0, (byte)'K', 1, 0x87, (byte)'q', 12,
            (byte)'R', (byte)'q', 13,
            (byte)'(', (byte)'K', 3, (byte)'U', 1, (byte)'|', (byte)'q', 14, (byte)'N', (byte)'N', (byte)'N',
            (byte)'J', 0xff, 0xff, 0xff, 0xff, (byte)'J', 0xff, 0xff, 0xff, 0xff, (byte)'K', 0, (byte)'t', (byte)'q', 15, (byte)'b',
            0x89, (byte)'T', 6, 0, 0, 0, 0, 1, 127, 128, 200, 255, (byte)'q', 16, (byte)'t', (byte)'q', 17, (byte)'b',
            (byte)'U', 6, .. "labels"u8, (byte)'q', 18, (byte)']', (byte)'q', 19, (byte)'(', (byte)'K', 1, (byte)'K', 0, (byte)'e',
            (byte)'u', (byte)'.',
        ];
        var path = dir.Bytes("py2", bytes);
        var dict = Assert.IsType<Dictionary<object, object?>>(NumpyPickle.Load(path));
        var array = Assert.IsType<NumpyArray>(dict["data"]);
        Assert.Equal([2, 3], array.Shape);
        Assert.Equal(new byte[] { 0, 1, 127, 128, 200, 255 }, array.Data);
        Assert.Equal([1L, 0L], Assert.IsType<List<object?>>(dict["labels"]));
    }

    [Fact]
    public void NumpyPickleRefusesAnyOtherGlobalByName()
    {
        // PROTO 2, GLOBAL 'os system', BINUNICODE 'ls', TUPLE1, REDUCE, STOP: pickle's classic code-execution payload.
        var path = dir.Bytes("evil", [0x80, 2, .. "cos\nsystem\n"u8, (byte)'X', 2, 0, 0, 0, .. "ls"u8, 0x85, (byte)'R', (byte)'.']);
        var e = Assert.Throws<InvalidDataException>(() => NumpyPickle.Load(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("refusing to load global 'os.system'", e.Message);
    }

    [Fact]
    public void NumpyPickleRefusesAnArrayWhoseDataDisagreesWithItsShape()
    {
        var bytes = TorchvisionFiles.Pickle(("data", new U1Array([2, 4], [0, 1, 127, 128, 200, 255])));
        var path = dir.Bytes("short", bytes);
        var e = Assert.Throws<InvalidDataException>(() => NumpyPickle.Load(path));
        Assert.Contains("shape (2, 4) and dtype 'u1' needs 8 bytes, the pickle holds 6", e.Message);
    }

    [Fact]
    public void Cifar10FolderIsReadAsItsTestSplitWithItsClassesAndRgbPixels()
    {
        var folder = dir.Cifar10("data", testLabels: [3, 9, 0]);

        var set = LabeledImageDataset.Load(dir.File("data"));

        Assert.Equal(folder, set.Root);
        Assert.Equal("airplane", set.Classes.Classes[0]);
        Assert.Equal(10, set.Classes.Classes.Count);
        Assert.Equal([3, 9, 0], set.Images.Select(i => i.Label));
        Assert.Equal("test_batch#1", Path.GetRelativePath(set.Root, set.Images[1].ImagePath));
        var image = set.Images[1].Read();
        Assert.Equal((32, 32), (image.Width, image.Height));
        Assert.Equal(((byte)11, (byte)12, (byte)13), image[0, 0]);
        Assert.Equal(((byte)200, (byte)100, (byte)50), image[1, 0]);
        Assert.Equal(((byte)11, (byte)12, (byte)13), image[31, 31]);
    }

    [Fact]
    public void Cifar10TrainSplitIsTheFiveDataBatchesInOrder()
    {
        dir.Cifar10("data", testLabels: [0], perTrainBatch: 2);

        var set = LabeledImageDataset.Load(dir.File("data"), split: DatasetSplit.Train);

        Assert.Equal([1, 1, 2, 2, 3, 3, 4, 4, 5, 5], set.Images.Select(i => i.Label));
        Assert.Equal("data_batch_5#1", Path.GetFileName(set.Images[^1].ImagePath));
    }

    [Fact]
    public void Cifar100ReadsFineLabelsAndSpellsClassNamesWithSpaces()
    {
        var folder = Path.Combine("c100", "cifar-100-python");
        dir.Bytes(Path.Combine(folder, "meta"), TorchvisionFiles.Pickle(
            ("fine_label_names", Enumerable.Range(0, 100).Select(i => i == 1 ? "aquarium_fish" : $"class{i}").ToArray()),
            ("coarse_label_names", Enumerable.Range(0, 20).Select(i => $"super{i}").ToArray())));
        dir.Bytes(Path.Combine(folder, "test"), TorchvisionFiles.Pickle(
            ("data", TorchvisionFiles.CifarRows(2)), ("fine_labels", new[] { 1, 99 }), ("coarse_labels", new[] { 1, 19 })));

        var set = LabeledImageDataset.Load(dir.File("c100"));

        Assert.Equal("aquarium fish", set.Classes.Classes[1]);
        Assert.Equal([1, 99], set.Images.Select(i => i.Label));
    }

    [Fact]
    public void FashionMnistRawFolderIsReadWithBuiltInClassesAndGrayAsRgb()
    {
        dir.Mnist(Path.Combine("FashionMNIST", "raw"), "t10k", [9, 0, 5]);
        dir.Mnist(Path.Combine("FashionMNIST", "raw"), "train", [1, 2]);

        var test = LabeledImageDataset.Load(dir.File("FashionMNIST"));
        var train = LabeledImageDataset.Load(dir.File("FashionMNIST"), split: DatasetSplit.Train);

        Assert.Equal("ankle boot", test.Classes.Classes[test.Images[0].Label]);
        Assert.Equal([9, 0, 5], test.Images.Select(i => i.Label));
        Assert.Equal([1, 2], train.Images.Select(i => i.Label));
        var image = test.Images[2].Read();
        Assert.Equal((28, 28), (image.Width, image.Height));
        Assert.Equal(((byte)21, (byte)21, (byte)21), image[5, 7]);
        Assert.Equal("t10k-images-idx3-ubyte.gz#2", Path.GetRelativePath(test.Root, test.Images[2].ImagePath));
    }

    [Fact]
    public void MnistFolderOfPlainIdxFilesHasTheDigitsAsClasses()
    {
        dir.Mnist("MNIST", "t10k", [7, 2], gzip: false);

        var set = LabeledImageDataset.Load(dir.File("MNIST"));

        Assert.Equal(["7", "2"], set.Images.Select(i => set.Classes.Classes[i.Label]));
        Assert.Equal("a photo of the number: \"7\".", set.Classes.Prompts(7).Single());
    }

    [Fact]
    public void IdxFilesInAFolderNamingNeitherDatasetNeedAClassesFile()
    {
        dir.Mnist("digits", "t10k", [1]);

        var e = Assert.Throws<InvalidDataException>(() => LabeledImageDataset.Load(dir.File("digits")));
        Assert.Contains("MNIST and Fashion-MNIST use the same idx file names", e.Message);

        var classes = dir.Text("classes.json", """{"classes": ["a","b","c","d","e","f","g","h","i","j"]}""");
        Assert.Equal("b", LabeledImageDataset.Load(dir.File("digits"), classes).Classes.Classes[1]);
        var three = dir.Text("three.json", """{"classes": ["a","b","c"]}""");
        var wrong = Assert.Throws<InvalidDataException>(() => LabeledImageDataset.Load(dir.File("digits"), three));
        Assert.StartsWith($"{three}: 3 classes, but MNIST-format idx", wrong.Message);
    }

    [Fact]
    public void IdxWithWrongMagicIsRefusedNamingTheFile()
    {
        dir.Mnist("MNIST", "t10k", [1], gzip: false);
        var path = dir.File(Path.Combine("MNIST", "t10k-images-idx3-ubyte"));
        var bytes = File.ReadAllBytes(path);
        bytes[0] = 0x1f;
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => LabeledImageDataset.Load(dir.File("MNIST")));
        Assert.Equal($"{path}: not an idx file: magic starts 1f 00, expected 00 00", e.Message);
    }

    [Fact]
    public void IdxOfAnotherElementTypeOrRankIsRefused()
    {
        var floats = dir.Bytes("f", TorchvisionFiles.Idx([1], [0, 0, 0, 0], type: 0x0D));
        Assert.Equal($"{floats}: idx element type 0x0d, expected 0x08 (unsigned byte)",
            Assert.Throws<InvalidDataException>(() => IdxFile.Read(floats, 1)).Message);
        var labels = dir.Bytes("l", TorchvisionFiles.Idx([2], [1, 2]));
        Assert.Equal($"{labels}: idx file with 1 dimension(s), expected 3",
            Assert.Throws<InvalidDataException>(() => IdxFile.Read(labels, 3)).Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IdxWhoseLengthDisagreesWithItsHeaderIsRefused(bool gzip)
    {
        var truncated = TorchvisionFiles.Idx([3, 28, 28], new byte[2 * 28 * 28]);
        var path = dir.Bytes(gzip ? "x.gz" : "x", gzip ? TorchvisionFiles.Gzip(truncated) : truncated);

        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 3));
        Assert.Equal($"{path}: idx header says 3 x 28 x 28 = 2352 bytes of data, but the file holds 1568 after its 16-byte header", e.Message);
    }

    [Fact]
    public void IdxHeaderClaimingHugeSizesIsRefusedWithoutAllocatingThem()
    {
        // 2^31-1 squared elements: refused from the header alone (plain) or by the data actually there (gzip).
        var header = TorchvisionFiles.Idx([int.MaxValue, int.MaxValue, 1], []);
        var plain = dir.Bytes("huge", header);
        Assert.Contains("more than one array can hold", Assert.Throws<InvalidDataException>(() => IdxFile.Read(plain, 3)).Message);
        var small = TorchvisionFiles.Idx([100_000, 28, 28], new byte[10]);
        var gz = dir.Bytes("big.gz", TorchvisionFiles.Gzip(small));
        Assert.Contains("but the file holds 10 after", Assert.Throws<InvalidDataException>(() => IdxFile.Read(gz, 3)).Message);
    }

    [Fact]
    public void CorruptGzipIsReportedAsSuchNamingTheFile()
    {
        var path = dir.Bytes("c.gz", [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff]);
        var e = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path, 1));
        Assert.StartsWith($"{path}: ", e.Message);
    }

    [Fact]
    public void LabelsAndImagesOfDifferentCountsAreRefused()
    {
        dir.Mnist("MNIST", "t10k", [1, 2], gzip: false);
        var labels = dir.Bytes(Path.Combine("MNIST", "t10k-labels-idx1-ubyte"), TorchvisionFiles.Idx([3], [1, 2, 3]));
        var e = Assert.Throws<InvalidDataException>(() => LabeledImageDataset.Load(dir.File("MNIST")));
        Assert.Equal($"{labels}: 3 labels, but {dir.File(Path.Combine("MNIST", "t10k-images-idx3-ubyte"))} holds 2 images", e.Message);
    }

    [Fact]
    public void LabelOutsideTheClassesIsRefusedNamingTheImage()
    {
        dir.Mnist("MNIST", "t10k", [1, 10], gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => LabeledImageDataset.Load(dir.File("MNIST")));
        Assert.EndsWith("t10k-labels-idx1-ubyte: label 10 of image 1 is outside the 10 classes (0..9)", e.Message);
    }

    [Fact]
    public void MissingSplitFileIsNamed()
    {
        dir.Mnist("MNIST", "t10k", [1]);
        var e = Assert.Throws<FileNotFoundException>(() => LabeledImageDataset.Load(dir.File("MNIST"), split: DatasetSplit.Train));
        Assert.Contains("no train-images-idx3-ubyte or train-images-idx3-ubyte.gz", e.Message);
    }

    [Fact]
    public void AFolderHoldingCifar10AndCifar100AsksWhichOne()
    {
        dir.Cifar10("both", testLabels: [0]);
        Directory.CreateDirectory(dir.File(Path.Combine("both", "cifar-100-python")));
        var e = Assert.Throws<InvalidDataException>(() => LabeledImageDataset.Load(dir.File("both")));
        Assert.Contains("holds more than one dataset (CIFAR-10 in", e.Message);
    }

    [Fact]
    public void CifarBatchWithoutLabelsIsRefusedNamingTheKey()
    {
        var folder = dir.Cifar10("data", testLabels: [0]);
        var test = dir.Bytes(Path.Combine("data", "cifar-10-batches-py", "test_batch"), TorchvisionFiles.Pickle(("data", TorchvisionFiles.CifarRows(1))));
        var e = Assert.Throws<InvalidDataException>(() => LabeledImageDataset.Load(folder));
        Assert.Equal($"{test}: no 'labels' entry (found 'data')", e.Message);
    }

    [Fact]
    public void AnOrdinaryImageFolderIsStillReadByClassFolders()
    {
        dir.Png(Path.Combine("plain", "cat", "a.png"));
        var set = LabeledImageDataset.Load(dir.File("plain"));
        Assert.Equal(["cat"], set.Classes.Classes);
        Assert.Null(set.Images[0].Pixels);
    }
}
