using TorchSharp;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace CleanClip.Models;

/// <summary>
/// LibTorch's autocast (PyTorch's <c>torch.autocast</c>), which TorchSharp 0.107 does not wrap: while a scope is open on
/// this thread, LibTorch runs convolutions, linear layers and matrix products on <c>device</c> in the scope's type,
/// casting fp32 weights on the way in, and every other op in the type of its inputs (with the usual promotion: a bf16
/// result added to an fp32 residual stays fp32). The casts are part of the autograd graph, so gradients reach the fp32
/// parameters in fp32. The state is thread-local, as in PyTorch, and scopes nest.
/// </summary>
public readonly struct Autocast : IDisposable
{
    private readonly sbyte device;
    private readonly bool active, wasEnabled;
    private readonly sbyte previousType;

    /// <summary>The type this scope computes in, or null for a scope that opened nothing.</summary>
    public ScalarType? Type => active ? (ScalarType)castType : null;
    private readonly sbyte castType;

    private Autocast(sbyte device, sbyte type)
    {
        this.device = device;
        castType = type;
        active = true;
        wasEnabled = IsEnabled(device);
        previousType = GetCastType(device);
        SetEnabled(device, true);
        SetCastType(device, type);
        IncrementNesting();
    }

    /// <summary>A scope computing in <paramref name="type"/> on <paramref name="device"/>; null opens none (everything as it is).</summary>
    public static Autocast Enter(DeviceType device, ScalarType? type)
    {
        if (type is not { } t) return default;
        if (device is not (DeviceType.CPU or DeviceType.CUDA))
            throw new ArgumentException($"computing in {t} through autocast is supported on cpu and cuda, not {device}; use --precision fp32");
        return new Autocast((sbyte)device, (sbyte)t);
    }

    /// <summary>Whether a scope is open on this thread for <paramref name="device"/>.</summary>
    public static bool IsActive(DeviceType device) => IsEnabled((sbyte)device);

    public void Dispose()
    {
        if (!active) return;
        // Like PyTorch's exit: the casts of weights cached inside the outermost scope are dropped when it closes.
        if (DecrementNesting() == 0) ClearCache();
        SetEnabled(device, wasEnabled);
        SetCastType(device, previousType);
    }

    // at::autocast (Itanium C++ ABI; c10::DeviceType and c10::ScalarType are int8 enums).
    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool IsEnabled(sbyte device);

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb")]
    private static extern void SetEnabled(sbyte device, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE")]
    private static extern sbyte GetCastType(sbyte device);

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE")]
    private static extern void SetCastType(sbyte device, sbyte type);

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at8autocast17increment_nestingEv")]
    private static extern int IncrementNesting();

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at8autocast17decrement_nestingEv")]
    private static extern int DecrementNesting();

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at8autocast11clear_cacheEv")]
    private static extern void ClearCache();
}
