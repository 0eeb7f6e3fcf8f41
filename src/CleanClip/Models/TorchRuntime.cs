using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CleanClip.Models;

/// <summary>
/// LibTorch switches TorchSharp does not expose. oneDNN's CPU convolution backward in LibTorch 2.10 returns
/// sporadic non-finite gradients for layers with few channels (tools/conv-nan-repro: conv 3→4→8 with BatchNorm
/// 59/60 trials, 8-channel stems occasionally); LibTorch's own convolution gives 0/60 on every case. So oneDNN is
/// off when this library loads, unless <c>CLEANCLIP_ONEDNN=1</c>. NNPACK, unsupported on these CPUs, is off too
/// (it only prints a warning per call before falling back).
/// </summary>
public static class TorchRuntime
{
    public const string OneDnnVariable = "CLEANCLIP_ONEDNN";

    // A library module initializer on purpose: the switch must be set before any convolution runs, whoever the host is.
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "must run before any LibTorch convolution in any host")]
    internal static void ApplyDefaults()
    {
        try
        {
            SetNnpack(false);
            SetOneDnn(Environment.GetEnvironmentVariable(OneDnnVariable) == "1");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Another LibTorch build (CUDA, a different version): leave its defaults.
        }
    }

    public static bool OneDnnEnabled => UserEnabledMkldnn(GlobalContext());

    public static void SetOneDnn(bool enabled) => SetUserEnabledMkldnn(GlobalContext(), enabled);

    public static void SetNnpack(bool enabled) => SetUserEnabledNnpack(GlobalContext(), enabled);

    // at::globalContext() and its member functions (Itanium C++ ABI: `this` is the first argument).
    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledMkldnn(IntPtr context);

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
