using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace CleanClip.Models;

/// <summary>
/// Process-wide LibTorch and allocator switches TorchSharp does not expose, set when this library loads.
/// <list type="bullet">
/// <item>oneDNN: its CPU convolution backward in LibTorch 2.10 returns sporadic non-finite gradients for layers with
/// few channels (docs/experiments/onednn-conv-nan.md), but it is much faster than LibTorch's own convolution on wide
/// models (docs/experiments/runtime-settings.md). So <see cref="ClipModel.EncodeImage"/> switches it, before its
/// image tower runs, on when the model's smallest convolution has ≥ <see cref="OneDnnMinChannels"/> output channels and
/// off otherwise: the model computing decides, and building one changes nothing; <c>CLEANCLIP_ONEDNN=1|0</c> forces it. NNPACK, unsupported on these CPUs, is off.</item>
/// <item>glibc malloc: LibTorch's activations are tens of MiB, above glibc's mmap threshold, so by default each step
/// would map and unmap them and the kernel would zero every page again. Large blocks therefore come from the heap and
/// freed memory is kept for the next step (docs/experiments/runtime-settings.md); <c>CLEANCLIP_MALLOC=default</c>
/// keeps glibc's defaults.</item>
/// <item>OpenMP: every thread that runs a LibTorch op (pipeline decode threads resize and normalise with LibTorch) gets
/// its own OpenMP team, and libgomp's default spin-waiting lets idle teams burn the cores, so the wait policy is
/// <c>OMP_WAIT_POLICY=PASSIVE</c> (docs/experiments/runtime-settings.md). libgomp reads the variable once, when
/// LibTorch loads, so <see cref="Initialize"/> must run first: the CLI and the benches call it on their first line.
/// A value the user set is kept.</item>
/// </list>
/// Which of these can touch a CUDA run: none. oneDNN and NNPACK are CPU convolution backends, read only by LibTorch's
/// CPU kernels (a CUDA convolution goes to cuDNN whatever they say), so <see cref="UseOneDnnFor"/> may run whatever the
/// model's device; the malloc and OpenMP settings concern host memory and
/// host threads. Decisions that change what a model computes on a device (the bf16 fallback of
/// <see cref="Bf16Support"/>, the fp32 image tower of <see cref="TowerCompute"/>) go through <see cref="CpuOnlyPathApplies"/>.
/// </summary>
public static class TorchRuntime
{
    public const string OneDnnVariable = "CLEANCLIP_ONEDNN";
    public const string MallocVariable = "CLEANCLIP_MALLOC";

    /// <summary>Smallest convolution width at which oneDNN's backward gave no fault (docs/experiments/onednn-conv-nan.md).</summary>
    public const int OneDnnMinChannels = 32;

    // A library module initializer on purpose: the switches must be set before any tensor is allocated, whoever the host is.
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "must run before any LibTorch allocation or convolution in any host")]
    internal static void ApplyDefaults()
    {
        PreferPassiveOpenMp();
        if (Environment.GetEnvironmentVariable(MallocVariable) != "default") KeepLargeBlocksOnHeap();
        UnlessOtherLibTorch(() =>
        {
            SetNnpack(false);
            SetOneDnn(ForcedOneDnn ?? false);
        });
    }

    /// <summary>Runs a LibTorch switch; another LibTorch build (CUDA, a different version) without the symbol keeps its defaults.</summary>
    private static void UnlessOtherLibTorch(Action set)
    {
        try { set(); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    /// <summary>
    /// Applies the switches above now (through the module initializer, which runs once per process); call it before
    /// anything touches TorchSharp, as the OpenMP setting only takes effect if LibTorch is not loaded yet.
    /// </summary>
    public static void Initialize() => RuntimeHelpers.RunModuleConstructor(typeof(TorchRuntime).Module.ModuleHandle);

    /// <summary>The OpenMP wait policy LibTorch's threads use, as this process set or inherited it.</summary>
    public static string? OpenMpWaitPolicy { get; private set; }

    private static void PreferPassiveOpenMp()
    {
        const string name = "OMP_WAIT_POLICY";
        try
        {
            var current = Marshal.PtrToStringUTF8(getenv(name));
            if (current is null && !LibraryLoaded("libgomp"))
            {
                setenv(name, "PASSIVE", 0);
                Environment.SetEnvironmentVariable(name, "PASSIVE");     // the managed view and child processes
                current = "PASSIVE";
            }
            OpenMpWaitPolicy = current ?? "(default: LibTorch loaded before CleanClip)";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    private static bool LibraryLoaded(string name) =>
        File.Exists("/proc/self/maps") && File.ReadLines("/proc/self/maps").Any(line => line.Contains(name, StringComparison.Ordinal));

    /// <summary>
    /// The guard of every CPU-only code path: true only for <see cref="DeviceType.CPU"/>, so <c>--device cuda</c> never
    /// takes a path written for the CPU's kernels (tests/CleanClip.Tests/Models/DeviceGuardTests.cs lists them).
    /// </summary>
    public static bool CpuOnlyPathApplies(DeviceType device) => device == DeviceType.CPU;

    /// <summary>The <c>CLEANCLIP_ONEDNN</c> override, or null for the per-model choice.</summary>
    public static bool? ForcedOneDnn => Environment.GetEnvironmentVariable(OneDnnVariable) switch
    {
        "1" => true,
        "0" => false,
        _ => null,
    };

    /// <summary>Whether a model of <paramref name="config"/> should run its convolutions through oneDNN.</summary>
    public static bool OneDnnSuits(ClipConfig config) =>
        (config.IsVit ? config.VisionWidth : config.VisionWidth / 2) >= OneDnnMinChannels;

    /// <summary>Switches oneDNN for the model about to run its image tower (a global switch: the model computing decides).</summary>
    public static void UseOneDnnFor(ClipConfig config) => UnlessOtherLibTorch(() => SetOneDnn(OneDnnChosenFor(config)));

    /// <summary>Whether a model of <paramref name="config"/> runs with oneDNN: <c>CLEANCLIP_ONEDNN</c> if set, else <see cref="OneDnnSuits"/>.</summary>
    public static bool OneDnnChosenFor(ClipConfig config) => ForcedOneDnn ?? OneDnnSuits(config);

    public static bool OneDnnEnabled => UserEnabledMkldnn(GlobalContext());

    public static void SetOneDnn(bool enabled) => SetUserEnabledMkldnn(GlobalContext(), enabled);

    public static void SetNnpack(bool enabled) => SetUserEnabledNnpack(GlobalContext(), enabled);

    /// <summary>
    /// LibTorch's deterministic-algorithms switch (<c>torch.use_deterministic_algorithms</c>, which TorchSharp 0.107
    /// marks "not implemented"): with it on, an op that has no deterministic implementation fails instead of running.
    /// </summary>
    public static bool DeterministicAlgorithms
    {
        get => DeterministicAlgorithmsEnabled(GlobalContext());
        set => SetDeterministicAlgorithms(GlobalContext(), value, false);
    }

    /// <summary>True when the allocator settings above were applied (glibc found).</summary>
    public static bool LargeBlocksOnHeap { get; private set; }

    private static void KeepLargeBlocksOnHeap()
    {
        const int M_TRIM_THRESHOLD = -1, M_MMAP_MAX = -4;
        try
        {
            LargeBlocksOnHeap = mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, int.MaxValue) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl, macOS, Windows): their allocators keep their own policies.
        }
    }

    [DllImport("libc.so.6")]
    private static extern int mallopt(int param, int value);

    [DllImport("libc.so.6", CharSet = CharSet.Ansi)]
    private static extern IntPtr getenv(string name);

    [DllImport("libc.so.6", CharSet = CharSet.Ansi)]
    private static extern int setenv(string name, string value, int overwrite);

    // at::globalContext() and its member functions (Itanium C++ ABI: `this` is the first argument).
    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledMkldnn(IntPtr context);

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at7Context26setDeterministicAlgorithmsEbb")]
    private static extern void SetDeterministicAlgorithms(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled, [MarshalAs(UnmanagedType.U1)] bool warnOnly);

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZNK2at7Context23deterministicAlgorithmsEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool DeterministicAlgorithmsEnabled(IntPtr context);

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
