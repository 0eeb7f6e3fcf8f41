#!/usr/bin/python3
"""Golden data for CleanClip's backdoor triggers (src/CleanClip/Poisoning), re-stated from the reference's rules
(docs/reference-behaviour.md section 2.2) with PyTorch and PIL.

Run with Debian's interpreter (python3-torch, python3-numpy, python3-pil), from the repository root:
    /usr/bin/python3 tools/golden/triggers_golden.py ../shared/data/wanet/noise_grid_k224_s1_nhwc_1x224x224x2.f32
The argument is the reference WaNet field (raw little-endian float32, logical NHWC [1,224,224,2]). It is read, never
copied: only its SHA-256 and warped test images are written.

Outputs, in tests/CleanClip.Tests/Fixtures/triggers/ (PNG is lossless; every image is RGB uint8):
    wanet_reference_224.png        the reference WaNet on test_image(224, 224)
    wanet_reference_96x64.png      the same field resized (bicubic, align_corners=True) for a 96x64 image
    wanet_generated_k4_s64_seed7.f32   a generated field (k=4, S=64) from SplitMix64 seed 7, raw float32 NHWC
    blended_64_seed3.png, sig_64.png, badnet_wrap_64_p8_seed5.png, badnet_clamp_64_p8_seed5.png
    squash_100x60_to_48.png        PIL Image.resize((48, 48), BICUBIC) of test_image(100, 60)
    index.json                     the cases, their parameters and the field's SHA-256

The random draws come from SplitMix64, re-stated below exactly as CleanClip's SplitMix64.cs documents it, so the
C# triggers must reproduce these bytes from the same seeds: float = top 24 bits * 2^-24, double = top 53 bits * 2^-53,
randint = rejection on the modulo, Box-Muller normals (cosine first, then the sine of the same pair).
Every float step is float32, as the reference runs it on torch tensors:
    ToTensor = uint8 / 255;  ToPILImage = x.mul(255).byte()  (truncation; PyTorch wraps values outside [0, 255])
"""
import hashlib
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO, "tests", "CleanClip.Tests", "Fixtures", "triggers")
M64 = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & M64
        self.spare = None

    def next_u64(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def next_float(self):
        return np.float32((self.next_u64() >> 40) * (1.0 / (1 << 24)))

    def next_double(self):
        return (self.next_u64() >> 11) * (1.0 / (1 << 53))

    def next_int(self, lo, hi):
        n = hi - lo + 1
        reject = ((1 << 64) - n) % n
        while True:
            x = self.next_u64()
            if x >= reject:
                return lo + x % n

    def next_gaussian(self):
        if self.spare is not None:
            s, self.spare = self.spare, None
            return s
        u1 = 1.0 - self.next_double()
        u2 = self.next_double()
        r = math.sqrt(-2.0 * math.log(u1))
        theta = 2.0 * math.pi * u2
        self.spare = r * math.sin(theta)
        return r * math.cos(theta)


def test_image(w, h):
    """Gradients in R and G, an 8-pixel checkerboard in B: sharp edges so a one-pixel warp shows."""
    y, x = np.mgrid[0:h, 0:w]
    r = x * 255 // (w - 1)
    g = y * 255 // (h - 1)
    b = np.where((x // 8 + y // 8) % 2 == 0, 230, 25)
    return np.stack([r, g, b], axis=2).astype(np.uint8)


def to_tensor(hwc):
    return torch.from_numpy(hwc.copy()).permute(2, 0, 1).float().div(255)


def to_pil_bytes(chw):
    return chw.mul(255).byte().permute(1, 2, 0).contiguous().numpy()


def save_png(name, hwc):
    Image.fromarray(hwc, "RGB").save(os.path.join(OUT, name))
    return name


def wanet(img_hwc, field_nhwc, s=1.0, rescale=1.0):
    """Reference: identity from linspace meshed "ij", channel 0 = x; grid = clamp((id + s*field/side)*rescale, -1, 1)."""
    h, w = img_hwc.shape[:2]
    if field_nhwc.shape[1:3] != (h, w):
        field_nhwc = F.interpolate(field_nhwc.permute(0, 3, 1, 2), size=(h, w), mode="bicubic",
                                   align_corners=True).permute(0, 2, 3, 1)
    rows, cols = torch.meshgrid(torch.linspace(-1, 1, h), torch.linspace(-1, 1, w), indexing="ij")
    identity = torch.stack((cols, rows), 2)[None]
    sides = torch.tensor([float(w), float(h)])  # the reference's input_height (224) for both on square images
    grid = torch.clamp((identity + s * field_nhwc / sides) * rescale, -1, 1)
    out = F.grid_sample(to_tensor(img_hwc)[None], grid, mode="bilinear", padding_mode="zeros", align_corners=True)
    return to_pil_bytes(out[0])


def generated_field(k, size, seed):
    rng = SplitMix64(seed)
    ins = torch.tensor([rng.next_float() for _ in range(2 * k * k)], dtype=torch.float32).view(1, 2, k, k)
    ins = ins * 2 - 1
    ins = ins / torch.mean(torch.abs(ins))
    if k != size:
        ins = F.interpolate(ins, size=size, mode="bicubic", align_corners=True)
    return ins.permute(0, 2, 3, 1).contiguous()


def blended(img_hwc, seed, alpha=0.2):
    h, w = img_hwc.shape[:2]
    rng = SplitMix64(seed)
    noise = torch.tensor([rng.next_float() for _ in range(3 * h * w)], dtype=torch.float32).view(3, h, w)
    x = (1 - alpha) * to_tensor(img_hwc) + alpha * noise
    return to_pil_bytes(torch.clip(x, 0, 1))


def sig(img_hwc, alpha=0.2, delta=60 / 255, f=6):
    h, w = img_hwc.shape[:2]
    row = np.array([delta * np.sin(2 * np.pi * j * f / w) for j in range(w)])
    pattern = torch.from_numpy(np.tile(row, (3, h, 1))).float()
    x = (1 - alpha) * to_tensor(img_hwc) + alpha * pattern
    return to_pil_bytes(torch.clip(x, 0, 1))


def badnet(img_hwc, seed, p, wrap):
    """Reference BadNet: mean_c + N(0,1) patch at randint(0, side-1-p) (row first), not clipped before the cast."""
    h, w = img_hwc.shape[:2]
    rng = SplitMix64(seed)
    top = rng.next_int(0, h - 1 - p)
    left = rng.next_int(0, w - 1 - p)
    x = to_tensor(img_hwc)
    mean = x.mean((1, 2))
    z = torch.tensor([rng.next_gaussian() for _ in range(3 * p * p)], dtype=torch.float64).float().view(3, p, p)
    x[:, top:top + p, left:left + p] = mean[:, None, None] + z
    if not wrap:
        x = torch.clamp(x, 0, 1)
    return to_pil_bytes(x), (top, left)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    field_path = sys.argv[1]
    raw = open(field_path, "rb").read()
    if len(raw) != 224 * 224 * 2 * 4:
        sys.exit(f"{field_path}: expected {224 * 224 * 2 * 4} bytes, got {len(raw)}")
    field = torch.from_numpy(np.frombuffer(raw, dtype="<f4").copy()).view(1, 224, 224, 2)
    os.makedirs(OUT, exist_ok=True)
    cases = {}

    cases["wanet_reference_224"] = {"file": save_png("wanet_reference_224.png", wanet(test_image(224, 224), field)),
                                    "width": 224, "height": 224}
    cases["wanet_reference_96x64"] = {"file": save_png("wanet_reference_96x64.png", wanet(test_image(96, 64), field)),
                                      "width": 96, "height": 64}
    gen = generated_field(4, 64, 7)
    gen.numpy().astype("<f4").tofile(os.path.join(OUT, "wanet_generated_k4_s64_seed7.f32"))
    cases["wanet_generated"] = {"file": "wanet_generated_k4_s64_seed7.f32", "grid_size": 4, "size": 64, "seed": 7,
                                "mean_abs": float(gen.abs().mean())}

    img64 = test_image(64, 64)
    cases["blended"] = {"file": save_png("blended_64_seed3.png", blended(img64, 3)), "seed": 3, "alpha": 0.2}
    cases["sig"] = {"file": save_png("sig_64.png", sig(img64)), "alpha": 0.2}
    for wrap in (True, False):
        out, (top, left) = badnet(img64, 5, 8, wrap)
        name = f"badnet_{'wrap' if wrap else 'clamp'}_64_p8_seed5.png"
        cases[f"badnet_{'wrap' if wrap else 'clamp'}"] = {"file": save_png(name, out), "seed": 5, "patch_size": 8,
                                                          "top": top, "left": left}
    squash = np.asarray(Image.fromarray(test_image(100, 60), "RGB").resize((48, 48), Image.BICUBIC))
    cases["squash"] = {"file": save_png("squash_100x60_to_48.png", squash), "source": [100, 60], "resolution": 48}

    index = {
        "generator": "tools/golden/triggers_golden.py",
        "torch": torch.__version__,
        "pillow": Image.__version__,
        "test_image": "r = x*255//(w-1), g = y*255//(h-1), b = 230 if (x//8 + y//8) even else 25",
        "reference_field_sha256": hashlib.sha256(raw).hexdigest(),
        "cases": cases,
    }
    with open(os.path.join(OUT, "index.json"), "w") as f:
        json.dump(index, f, indent=2)
        f.write("\n")
    print(json.dumps(index, indent=2))


if __name__ == "__main__":
    main()
