#!/usr/bin/python3
"""PyTorch side of `bench compare`: the same measurements as CleanClip's bench, re-stated in plain PyTorch the way the
Python reference runs them, so the ratio is measured on the same machine in the same run.

Run with Debian's python3-torch 1.13 (OpenBLAS) and python3-torchvision / python3-pil:
  /usr/bin/python3 bench/pytorch/clip_bench.py step     [--models RN50,ViT-B/32] [--batch 16] [--threads 2] [--repeats 3]
  /usr/bin/python3 bench/pytorch/clip_bench.py eval     [--models RN50,ViT-B/32] [--batch 32] [--threads 2] [--repeats 3]
  /usr/bin/python3 bench/pytorch/clip_bench.py pipeline --images-dir DIR [--threads 1] [--repeats 3]
  /usr/bin/python3 bench/pytorch/clip_bench.py gemm     [--threads 2]
Every subcommand prints one JSON object on stdout (progress goes to stderr).

The models are tools/golden/clip_golden.py's re-statement of OpenAI CLIP (the towers the golden vectors check
CleanClip against). What the reference does and this script copies:
- step: 2B images (originals and augmented views) and 2B captions in one forward pass, CLIP loss + in-modal loss,
  backward, AdamW (decay on weights, none on gains, biases and the logit scale), logit-scale clamp; the text tower
  runs all 77 positions (OpenAI's encode_text); `--trim-text` runs only up to the batch's last EOT instead.
- eval: image tower + L2 norm + [B, D] x [D, C] classifier + top-5 under no_grad; prompts through the full text tower.
- pipeline: PIL decode + CLIP transform (bicubic resize, centre crop, to tensor, normalize) of the original and of a
  torchvision AutoAugment view, per pair, on one core (no EDA: the reference's EDA needs NLTK's WordNet).
"""
import argparse
import glob
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "golden"))
from clip_golden import Clip  # noqa: E402  (our own re-statement; see that file)

CONFIGS = {
    # name: (embed, resolution, vision_layers, vision_width, vision_heads, patch, context, vocab, text_width, text_heads, text_layers)
    "RN50": (1024, 224, (3, 4, 6, 3), 64, 32, None, 77, 49408, 512, 8, 12),
    "ViT-B/32": (512, 224, 12, 768, 12, 32, 77, 49408, 512, 8, 12),
    "tiny-rn": (32, 32, (1, 1, 1, 1), 8, 4, None, 77, 1024, 64, 4, 2),
}


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def captions(n, ctx, vocab, gen):
    """Token rows like the tokenizer's: SOT, 12-24 caption tokens, EOT (the highest id), zeros after."""
    t = torch.zeros(n, ctx, dtype=torch.long)
    for i in range(n):
        length = int(torch.randint(14, 26, (1,), generator=gen))
        t[i, 0] = vocab - 2
        t[i, 1:length - 1] = torch.randint(1, vocab - 2, (length - 2,), generator=gen)
        t[i, length - 1] = vocab - 1
    return t


def encode_text(model, text, trim):
    eot = text.argmax(-1)
    if trim:
        length = int(eot.max()) + 1
        text = text[:, :length]
        pos = model.positional_embedding[:length]
    else:
        pos = model.positional_embedding
    x = model.token_embedding(text) + pos
    x = model.ln_final(model.transformer(x.transpose(0, 1)).transpose(0, 1))
    return x[torch.arange(x.shape[0]), eot] @ model.text_projection


def median(values):
    s = sorted(values)
    return s[len(s) // 2]


def adamw(model, lr=1e-5, weight_decay=0.1):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        gain_or_bias = p.dim() < 2 or "bn" in name or "ln" in name or "logit_scale" in name or name.endswith("downsample.1.weight")
        (no_decay if gain_or_bias else decay).append(p)
    return torch.optim.AdamW([{"params": no_decay, "weight_decay": 0.0}, {"params": decay, "weight_decay": weight_decay}],
                             lr=lr, betas=(0.9, 0.98), eps=1e-6)


def cross_entropy_pair(a, b, scale):
    logits = scale * a @ b.t()
    target = torch.arange(a.shape[0])
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target)) / 2


def fresh(name):
    """A seeded model of config `name`, its config, and a seeded generator for its inputs."""
    cfg = CONFIGS[name]
    torch.manual_seed(0)
    return Clip(*cfg), cfg, torch.Generator().manual_seed(1)


def step_bench(args):
    torch.set_num_threads(args.threads)
    results = []
    for name in args.models:
        model, cfg, gen = fresh(name)
        model.train()
        opt = adamw(model)
        b, r = args.batch, cfg[1]
        pixels = torch.randn(2 * b, 3, r, r, generator=gen)
        text = captions(2 * b, cfg[6], cfg[7], gen)

        def step():
            start = time.perf_counter()
            image = F.normalize(model.encode_image(pixels), dim=-1)
            txt = F.normalize(encode_text(model, text, args.trim_text), dim=-1)
            scale = model.logit_scale.exp()
            clip = cross_entropy_pair(image[:b], txt[:b], scale)
            inmodal = (cross_entropy_pair(image[:b], image[b:], scale) + cross_entropy_pair(txt[:b], txt[b:], scale)) / 2
            loss = clip + inmodal
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                model.logit_scale.clamp_(0, math.log(100))
            loss.item()
            return time.perf_counter() - start

        warm = step()
        runs = [step() for _ in range(args.repeats)]
        log(f"pytorch step {name}: warm-up {warm:.2f} s, steps {' '.join(f'{t:.2f}' for t in runs)}")
        m = median(runs)
        results.append({"model": name, "batch": b, "threads": torch.get_num_threads(), "pairs_per_second": b / m,
                        "median_seconds": m, "runs": runs, "warmup_seconds": warm, "peak_rss_mib": peak_rss_mib()})
    return {"kind": "step", "trim_text": args.trim_text, "results": results}


def eval_bench(args):
    torch.set_num_threads(args.threads)
    results = []
    for name in args.models:
        model, cfg, gen = fresh(name)
        model.eval()
        pixels = torch.randn(args.batch, 3, cfg[1], cfg[1], generator=gen)
        classes = F.normalize(torch.randn(args.classes, cfg[0], generator=gen), dim=-1)
        prompts = captions(args.classes * args.templates, cfg[6], cfg[7], gen)
        image_runs, text_runs = [], []
        with torch.no_grad():
            for i in range(args.repeats + 1):
                start = time.perf_counter()
                scores = F.normalize(model.encode_image(pixels), dim=-1) @ classes.t()
                scores.topk(min(5, args.classes), dim=1)
                t = time.perf_counter() - start
                if i:
                    image_runs.append(t)
            for i in range(args.repeats + 1):
                start = time.perf_counter()
                rows = [encode_text(model, prompts[s:s + 256], args.trim_text) for s in range(0, prompts.shape[0], 256)]
                F.normalize(F.normalize(torch.cat(rows), dim=-1).view(args.classes, args.templates, -1).mean(1), dim=-1)
                t = time.perf_counter() - start
                if i:
                    text_runs.append(t)
        log(f"pytorch eval {name}: image batch {median(image_runs):.2f} s, classifier {median(text_runs):.2f} s")
        results.append({"model": name, "batch": args.batch, "threads": torch.get_num_threads(),
                        "images_per_second": args.batch / median(image_runs), "captions": prompts.shape[0],
                        "captions_per_second": prompts.shape[0] / median(text_runs), "peak_rss_mib": peak_rss_mib()})
    return {"kind": "eval", "trim_text": args.trim_text, "results": results}


def pipeline_bench(args):
    from PIL import Image
    from torchvision import transforms as T
    torch.set_num_threads(args.threads)
    paths = sorted(glob.glob(os.path.join(args.images_dir, "*")))
    if not paths:
        raise SystemExit(f"no images in {args.images_dir}")
    clip = T.Compose([T.Resize(224, interpolation=T.InterpolationMode.BICUBIC), T.CenterCrop(224), T.ToTensor(),
                      T.Normalize((0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711))])
    augment = T.AutoAugment()
    torch.manual_seed(0)
    runs = []
    for epoch in range(args.repeats + 1):
        start = time.perf_counter()
        for p in paths:
            image = Image.open(p).convert("RGB")
            clip(image)
            clip(augment(image))
        if epoch:
            runs.append(time.perf_counter() - start)
    m = median(runs)
    log(f"pytorch pipeline: {len(paths)} pairs in {m:.2f} s")
    return {"kind": "pipeline", "threads": args.threads, "pairs": len(paths), "pairs_per_second": len(paths) / m,
            "median_seconds": m, "runs": runs, "peak_rss_mib": peak_rss_mib()}


def gemm_bench(args):
    torch.set_num_threads(args.threads)
    n = 4096
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        a @ b
        runs.append(time.perf_counter() - start)
    return {"kind": "gemm", "threads": args.threads, "n": n, "gflops": 2 * n ** 3 / median(runs) / 1e9}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["step", "eval", "pipeline", "gemm"])
    parser.add_argument("--models", default="RN50,ViT-B/32")
    parser.add_argument("--batch", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--templates", type=int, default=80)
    parser.add_argument("--images-dir")
    parser.add_argument("--trim-text", action="store_true")
    args = parser.parse_args()
    args.models = [m for m in args.models.split(",") if m]
    unknown = [m for m in args.models if m not in CONFIGS]
    if unknown:
        raise SystemExit(f"unknown model(s) {unknown}; known: {sorted(CONFIGS)}")
    if args.threads is None:
        args.threads = 1 if args.what == "pipeline" else 2
    if args.batch is None:
        args.batch = 32 if args.what == "eval" else 16
    run = {"step": step_bench, "eval": eval_bench, "pipeline": pipeline_bench, "gemm": gemm_bench}[args.what]
    out = run(args)
    out["torch"] = torch.__version__
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
