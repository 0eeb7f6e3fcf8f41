#!/usr/bin/env python3
"""Golden values for CleanClip's AdamW: torch.optim.AdamW (PyTorch's own update, the one the reference trains with)
run for four steps with changing learning rates on two parameters, one decayed and one not, from fixed gradients.
Run: /usr/bin/python3 tools/golden/adamw_golden.py tests/CleanClip.Tests/Fixtures/adamw"""
import json, os, sys
import numpy as np
import torch

out = sys.argv[1] if len(sys.argv) > 1 else "tests/CleanClip.Tests/Fixtures/adamw"
os.makedirs(out, exist_ok=True)
g = torch.Generator().manual_seed(7)
w = torch.randn(3, 4, generator=g).requires_grad_()
b = torch.randn(4, generator=g).requires_grad_()
np.save(os.path.join(out, "w0.npy"), w.detach().numpy())
np.save(os.path.join(out, "b0.npy"), b.detach().numpy())
opt = torch.optim.AdamW([{"params": [w], "weight_decay": 0.1}, {"params": [b], "weight_decay": 0.0}],
                        lr=1e-2, betas=(0.9, 0.98), eps=1e-6, foreach=False)
rates = [1e-2, 5e-3, 2e-2, 1e-3]
for step, lr in enumerate(rates):
    gw = torch.randn(3, 4, generator=g)
    gb = torch.randn(4, generator=g) * (0 if step == 1 else 1)  # a zero gradient still counts as a step
    np.save(os.path.join(out, f"gw{step}.npy"), gw.numpy())
    np.save(os.path.join(out, f"gb{step}.npy"), gb.numpy())
    for group in opt.param_groups:
        group["lr"] = lr
    w.grad, b.grad = gw.clone(), gb.clone()
    opt.step()
np.save(os.path.join(out, "w4.npy"), w.detach().numpy())
np.save(os.path.join(out, "b4.npy"), b.detach().numpy())
np.save(os.path.join(out, "w4_exp_avg_sq.npy"), opt.state[w]["exp_avg_sq"].numpy())
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump({"rates": rates, "beta1": 0.9, "beta2": 0.98, "eps": 1e-6, "weight_decay": 0.1,
               "torch": torch.__version__}, f, indent=1)
