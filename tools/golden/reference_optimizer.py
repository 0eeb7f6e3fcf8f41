#!/usr/bin/env python3
"""A CleanCLIP-style training checkpoint whose AdamW state is laid out as the reference's (src/main.py;
docs/reference-behaviour.md §7): two groups, no decay first (names containing "bn", "ln", "bias" or "logit_scale"),
then the rest, parameters in named_parameters() order, state keyed by position. CleanClip's --restore-optimizer must
map positions back to names.
Model: a micro ModifiedResNet CLIP from clip_golden.py (its BatchNorm shortcut "downsample.1.weight" is decayed by the
reference rule). Two AdamW steps on a random loss; saved under DDP's "module." prefix like the reference.
Run: /usr/bin/python3 tools/golden/reference_optimizer.py tests/CleanClip.Tests/Fixtures/reference_optimizer"""
import json, os, sys
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_golden import Clip  # noqa: E402

# embed, res, vision layers, vision width, vision heads, patch, context, vocab, text width, text heads, text layers
MICRO = (16, 32, (1, 1, 1, 1), 4, 2, None, 8, 64, 16, 2, 1)

out = sys.argv[1] if len(sys.argv) > 1 else "tests/CleanClip.Tests/Fixtures/reference_optimizer"
os.makedirs(out, exist_ok=True)
torch.manual_seed(11)
model = Clip(*MICRO)
exempt = lambda name: any(key in name for key in ["bn", "ln", "bias", "logit_scale"])
no_decay = [p for n, p in model.named_parameters() if exempt(n)]
decay = [p for n, p in model.named_parameters() if not exempt(n)]
optimizer = torch.optim.AdamW([{"params": no_decay, "weight_decay": 0}, {"params": decay, "weight_decay": 0.1}],
                              lr=5e-4, betas=(0.9, 0.999), eps=1e-8)
gen = torch.Generator().manual_seed(5)
for step in range(2):
    optimizer.zero_grad()
    images = torch.randn(4, 3, 32, 32, generator=gen)
    text = torch.randint(1, 62, (4, 8), generator=gen)
    text[:, 5] = 63
    i, t = model(images, text)
    (i.pow(2).mean() + t.pow(2).mean() + model.logit_scale).backward()
    optimizer.step()
torch.save({"epoch": 2, "name": "reference", "state_dict": {f"module.{k}": v for k, v in model.state_dict().items()},
            "optimizer": optimizer.state_dict()}, os.path.join(out, "reference_epoch_2.pt"))
by_name = {n: p for n, p in model.named_parameters()}
picked = ["visual.layer1.0.downsample.1.weight", "visual.bn1.weight", "token_embedding.weight", "logit_scale",
          "transformer.resblocks.0.attn.in_proj_weight"]
for name in picked:
    state = optimizer.state[by_name[name]]
    np.save(os.path.join(out, f"{name}.exp_avg_sq.npy"), state["exp_avg_sq"].numpy())
    np.save(os.path.join(out, f"{name}.exp_avg.npy"), state["exp_avg"].numpy())
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump({"config": MICRO[:2] + (list(MICRO[2]),) + MICRO[3:], "picked": picked,
               "no_decay": [n for n, _ in model.named_parameters() if exempt(n)],
               "decay": [n for n, _ in model.named_parameters() if not exempt(n)], "steps": 2}, f, indent=1)
