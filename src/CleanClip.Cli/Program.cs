using CleanClip.Cli;
using CleanClip.Models;

// Before any TorchSharp call: process-wide LibTorch, OpenMP and allocator settings (see TorchRuntime).
TorchRuntime.Initialize();

return await CleanClipCli.Create().Parse(args).InvokeAsync();
