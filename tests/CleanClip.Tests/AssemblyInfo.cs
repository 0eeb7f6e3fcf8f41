using Xunit;

// LibTorch already uses both cores inside each test, and torch.manual_seed is process-wide: tests that seed the
// global generator must not interleave, so the suite runs one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
