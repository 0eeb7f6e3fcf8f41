using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using CleanClip.Checkpoints;
using CleanClip.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Tests.Checkpoints;

/// <summary>Builders of the damaged and foreign checkpoint files the hostile-input tests load.</summary>
internal static class HostileCheckpointFiles
{
    /// <summary>
    /// A ViT shaped like OpenAI's CLIP class built with <c>transformer_width=32, transformer_heads=2</c> for the narrow
    /// tower(s): heads of dimension 16, which a state dict cannot tell.
    /// </summary>
    public static ClipConfig NarrowConfig(bool narrowText = true, bool narrowVision = true) =>
        ModelRegistry.Get("tiny-vit") with
        {
            Name = "narrow", VocabSize = 100,
            TextWidth = narrowText ? 32 : 64, TextHeads = narrowText ? 2 : null,
            VisionWidth = narrowVision ? 32 : 64, VisionHeads = narrowVision ? 2 : null,
        };

    /// <summary>Saves a fresh tiny-rn (with our metadata) at <paramref name="path"/>, after <paramref name="change"/> edits its weights.</summary>
    public static string SaveTinyRn(string path, Action<ClipModel>? change = null)
    {
        using var model = new ClipModel(ModelRegistry.Get("tiny-rn"));
        if (change is not null)
            using (no_grad()) change(model);
        ModelLoader.Save(model, path);
        return path;
    }

    /// <summary>Writes the model's state dict as a safetensors file without CleanClip's config metadata (as other tools write it).</summary>
    public static void WriteWithoutConfig(ClipModel model, string path)
    {
        using var scope = NewDisposeScope();
        Safetensors.Write(path, model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach()));
    }

    /// <summary>Rewrites a safetensors file with the same tensors and <paramref name="change"/> applied to its metadata.</summary>
    public static void EditMetadata(string path, Action<Dictionary<string, string>> change)
    {
        var metadata = Safetensors.ReadMetadata(path);
        var tensors = Safetensors.Read(path);
        try
        {
            metadata.Remove(Safetensors.ContentHashKey);
            change(metadata);
            Safetensors.Write(path, tensors, metadata);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>Offset of the first data byte (after the 8-byte length and the JSON header).</summary>
    public static long DataStart(string path)
    {
        var length = new byte[8];
        using (var stream = File.OpenRead(path)) stream.ReadExactly(length);
        return 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(length);
    }

    /// <summary>Flips the lowest bit of the byte <paramref name="fromDataStart"/> bytes into the data section, as a bad disk or copy would.</summary>
    public static void FlipDataBit(string path, long fromDataStart)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Position = DataStart(path) + fromDataStart;
        int b = stream.ReadByte();
        stream.Position -= 1;
        stream.WriteByte((byte)(b ^ 0x01));
    }

    /// <summary>Removes the content hash from a file's header, leaving it as a file written before CleanClip stored one.</summary>
    public static void StripContentHash(string path)
    {
        var bytes = File.ReadAllBytes(path);
        long start = DataStart(path);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)(start - 8)))!.AsObject();
        header["__metadata__"]!.AsObject().Remove(Safetensors.ContentHashKey);
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        var output = new byte[8 + padded + (bytes.Length - start)];
        BinaryPrimitives.WriteUInt64LittleEndian(output, (ulong)padded);
        Array.Fill(output, (byte)' ', 8, padded);
        json.CopyTo(output, 8);
        Array.Copy(bytes, start, output, 8 + padded, bytes.Length - start);
        File.WriteAllBytes(path, output);
    }
}
