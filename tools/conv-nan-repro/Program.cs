using TorchSharp;
using static TorchSharp.torch;

// Reproduces sporadic non-finite gradients from convolution backward in LibTorch 2.10 (CPU) on this project's
// machines: one forward + backward of freshly seeded tiny layers on finite random input, repeated per seed.
// Usage: dotnet run -c Release --project tools/conv-nan-repro -- [threads=2] [trials=150] [no-mkldnn] [bf16]
int threads = args.Length > 0 ? int.Parse(args[0]) : 2;
int trials = args.Length > 1 ? int.Parse(args[1]) : 150;
torch.set_num_threads(threads);
if (args.Contains("no-mkldnn")) Native.DisableMkldnn();
bool bf16 = args.Contains("bf16");   // layers and input in bfloat16: oneDNN's bf16 kernels instead of its fp32 ones
Console.WriteLine($"oneDNN (mkldnn) enabled: {Native.MkldnnEnabled()}, {(bf16 ? "bf16" : "fp32")}");
var cases = new Dictionary<string, Func<nn.Module<Tensor, Tensor>>>
{
    ["conv"] = () => nn.Sequential(nn.Conv2d(3, 4, 3, stride: 2, padding: 1, bias: false), nn.Conv2d(4, 8, 3, padding: 1, bias: false)),
    ["conv+relu"] = () => nn.Sequential(nn.Conv2d(3, 4, 3, stride: 2, padding: 1, bias: false), nn.ReLU(), nn.Conv2d(4, 8, 3, padding: 1, bias: false)),
    ["batchnorm"] = () => nn.Sequential(nn.BatchNorm2d(3), nn.BatchNorm2d(3)),
    ["conv+batchnorm"] = () => nn.Sequential(nn.Conv2d(3, 4, 3, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(4), nn.Conv2d(4, 8, 3, padding: 1, bias: false)),
    ["conv 3-8-16"] = () => nn.Sequential(nn.Conv2d(3, 8, 3, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(8), nn.Conv2d(8, 16, 3, padding: 1, bias: false)),
    ["conv 3-16-32"] = () => nn.Sequential(nn.Conv2d(3, 16, 3, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(16), nn.Conv2d(16, 32, 3, padding: 1, bias: false)),
    ["conv 3-32-64"] = () => nn.Sequential(nn.Conv2d(3, 32, 3, stride: 2, padding: 1, bias: false), nn.Conv2d(32, 64, 3, padding: 1, bias: false)),
    ["conv 1x1 64-256"] = () => nn.Sequential(nn.Conv2d(3, 64, 1, bias: false), nn.Conv2d(64, 256, 1, bias: false)),
    ["linear"] = () => nn.Sequential(nn.Flatten(), nn.Linear(3072, 64), nn.ReLU(), nn.Linear(64, 8)),
};
Console.WriteLine($"LibTorch intra-op threads: {torch.get_num_threads()}, {trials} trials per case");
foreach (var (name, make) in cases)
{
    int bad = 0;
    for (int trial = 0; trial < trials; trial++)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(trial);
        var module = make();
        module.train();
        var input = torch.randn(64, 3, 32, 32);
        if (bf16) { module.to(ScalarType.BFloat16); input = input.to(ScalarType.BFloat16); }
        module.forward(input).pow(2).mean().backward();
        if (module.parameters().Any(p => !p.grad!.isfinite().all().item<bool>())) bad++;
    }
    Console.WriteLine($"{name,-15} {bad,4}/{trials} trials with non-finite gradients");
}

static class Native
{
    // LibTorch's C++ context switch (at::globalContext().setUserEnabledMkldnn), which TorchSharp does not expose.
    [System.Runtime.InteropServices.DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();
    [System.Runtime.InteropServices.DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.U1)] bool enabled);
    [System.Runtime.InteropServices.DllImport("libtorch_cpu.so", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.U1)]
    private static extern bool UserEnabledMkldnn(IntPtr context);
    public static void DisableMkldnn() => SetUserEnabledMkldnn(GlobalContext(), false);
    public static bool MkldnnEnabled() => UserEnabledMkldnn(GlobalContext());
}
