#!/usr/bin/python3
"""Writes an OpenCLIP-style training checkpoint of a micro CLIP, and the same weights saved plainly, for the C# tests.

Run with Debian's python3 (python3-torch):  /usr/bin/python3 tools/golden/openclip_checkpoint.py
Output: tests/CleanClip.Tests/Fixtures/openclip/

OpenCLIP's training loop saves epoch_N.pt as torch.save of the dict
    {"epoch": N, "name": run name, "state_dict": model.state_dict(), "optimizer": optimizer.state_dict()}
plus "scaler": scaler.state_dict() when it trains with AMP; under DistributedDataParallel the state dict's keys carry
the "module." prefix. The "-quickgelu" models (OpenCLIP's names for OpenAI's architectures) use OpenAI's key names,
so the micro model here is this folder's own re-statement of OpenAI CLIP (clip_golden.Clip), once with a
VisionTransformer and once with a ModifiedResNet image tower.

For each micro model it writes
    <name>.epoch_2.pt  the OpenCLIP-style checkpoint (DDP prefix, AdamW state after two steps, an AMP scaler entry)
    <name>.plain.pt    torch.save(model.state_dict()) of the same weights, the reference the test compares against
Debian's torch has no CUDA, and a GradScaler without CUDA disables itself and saves {}; the scaler entry is therefore
written as the dict an enabled GradScaler's state_dict() returns (its five keys, values after a run without overflow).
"""
import collections
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_golden import Clip, randomize  # noqa: E402  (this folder's own re-statement of OpenAI CLIP)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "CleanClip.Tests", "Fixtures",
                   "openclip")

# name: (embed_dim, resolution, vision_layers, vision_width, vision_heads, patch, context, vocab, text_width,
#        text_heads, text_layers) -- micro sizes so that weights plus two AdamW moments stay small; heads are 2
#        everywhere (the C# test gives them, as a state dict does not hold head counts).
MICRO = {
    "micro-vit": (4, 16, 1, 8, 2, 8, 4, 16, 8, 2, 1),
    "micro-rn": (4, 32, (1, 1, 1, 1), 2, 2, None, 4, 16, 8, 2, 1),
}

# The keys and types of torch.cuda.amp.GradScaler.state_dict() when enabled (torch 1.13 and 2.x).
SCALER_STATE = {"scale": 32768.0, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": 2000,
                "_growth_tracker": 117}


class Ddp(torch.nn.Module):
    """What DistributedDataParallel looks like to state_dict(): the model kept as .module."""

    def __init__(self, module):
        super().__init__()
        self.module = module


def write(name, cfg):
    gen = torch.Generator().manual_seed(21)
    torch.manual_seed(21)
    model = Clip(*cfg)
    randomize(model, gen)
    # Two AdamW groups as OpenCLIP forms them: no weight decay for gains, biases and scalars (ndim < 2).
    decay = [p for p in model.parameters() if p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    optimizer = torch.optim.AdamW([{"params": no_decay, "weight_decay": 0.0}, {"params": decay, "weight_decay": 0.2}],
                                  lr=5e-4, betas=(0.9, 0.98), eps=1e-6)
    res, ctx, vocab = cfg[1], cfg[6], cfg[7]
    for _ in range(2):
        optimizer.zero_grad()
        image = torch.randn(2, 3, res, res, generator=gen)
        text = torch.randint(1, vocab, (2, ctx), generator=gen)
        image_features, text_features = model(image, text)
        (image_features.pow(2).mean() + text_features.pow(2).mean()).backward()
        optimizer.step()
    model.eval()
    torch.save(model.state_dict(), os.path.join(OUT, f"{name}.plain.pt"))
    checkpoint = {"epoch": 2, "name": f"openclip-{name}", "state_dict": Ddp(model).state_dict(),
                  "optimizer": optimizer.state_dict(), "scaler": dict(SCALER_STATE)}
    assert all(k.startswith("module.") for k in checkpoint["state_dict"])
    torch.save(checkpoint, os.path.join(OUT, f"{name}.epoch_2.pt"))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    for name, cfg in MICRO.items():
        write(name, cfg)
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    assert total <= 700 * 1024, f"fixtures are {total} bytes, over the 700 KB budget"
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes, into {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
