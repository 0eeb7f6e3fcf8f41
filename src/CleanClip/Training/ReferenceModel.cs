using System.Security.Cryptography;
using System.Text;
using CleanClip.Checkpoints;
using CleanClip.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace CleanClip.Training;

/// <summary>
/// PAR's frozen copy of a run's initial model (docs/par.md): loaded with the trained model's architecture, kept in
/// eval mode without gradients, and fingerprinted so that a resume can tell whether it is still the same model.
/// </summary>
public static class ReferenceModel
{
    /// <summary>
    /// The frozen copy of <paramref name="init"/> (a checkpoint file, or a registry name whose fresh weights
    /// <paramref name="seed"/> fixes), built with <paramref name="config"/> on <paramref name="device"/>, frozen in fp32.
    /// </summary>
    public static ClipModel Load(string init, ClipConfig config, long seed, Device device, CheckpointReadOptions? read = null)
    {
        var model = ModelLoader.LoadAs(init, config, seed, device, read);
        Freeze(model, Precision.Fp32);
        return model;
    }

    /// <summary>Eval mode (BatchNorm's running statistics, as the authors' frozen model), no gradients, <paramref name="precision"/>.</summary>
    public static void Freeze(ClipModel model, Precision precision)
    {
        model.eval();
        foreach (var parameter in model.parameters()) parameter.requires_grad = false;
        model.Precision = precision;
    }

    /// <summary>SHA-256 (hex) over every state-dict entry in order: its name, dtype, shape and bytes.</summary>
    public static string Fingerprint(ClipModel model)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, tensor) in model.state_dict())
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}\t{tensor.dtype}\t{string.Join(",", tensor.shape)}\n"));
            using var scope = NewDisposeScope();
            TensorBytes.Hash(tensor.detach().cpu().contiguous(), hash);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
