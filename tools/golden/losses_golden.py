#!/usr/bin/env python3
"""Golden values for CleanClip's ClipLoss and InModalLoss: an independent PyTorch re-statement of the CleanCLIP
objective (docs/reference-behaviour.md §5) on fixed random unit embeddings.
Run: /usr/bin/python3 tools/golden/losses_golden.py tests/CleanClip.Tests/Fixtures/losses"""
import json, os, sys
import numpy as np
import torch
import torch.nn.functional as F

out = sys.argv[1] if len(sys.argv) > 1 else "tests/CleanClip.Tests/Fixtures/losses"
os.makedirs(out, exist_ok=True)
g = torch.Generator().manual_seed(2023)
B, D = 5, 8
# Rounded to float32 first: the C# test reads these float32 files, so the expectations are exact for them.
views = {k: F.normalize(torch.randn(B, D, generator=g, dtype=torch.float64), dim=-1).float().double()
         for k in ["image", "text", "image_aug", "text_aug"]}
log_scale = torch.tensor(2.3, dtype=torch.float64)
s = log_scale.exp()
t = torch.arange(B)

def ce(logits):
    return F.cross_entropy(logits, t)

clip = (ce(s * views["image"] @ views["text"].T) + ce(s * views["text"] @ views["image"].T)) / 2
in_img = ce(s * views["image"] @ views["image_aug"].T)
in_txt = ce(s * views["text"] @ views["text_aug"].T)
inmodal = (in_img + in_txt) / 2
sym = ((in_img + ce(s * views["image_aug"] @ views["image"].T)) / 2 + (in_txt + ce(s * views["text_aug"] @ views["text"].T)) / 2) / 2
for k, v in views.items():
    np.save(os.path.join(out, f"{k}.npy"), v.float().numpy())
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump({"logit_scale": 2.3, "clip": clip.item(), "inmodal": inmodal.item(), "inmodal_symmetric": sym.item(),
               "total_1_1": (clip + inmodal).item(), "total_05_2": (0.5 * clip + 2 * inmodal).item()}, f, indent=1)
