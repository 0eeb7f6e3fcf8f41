#!/usr/bin/python3
"""Golden data for CleanClip's image preprocessing: PIL's output of CLIP's Resize(R, BICUBIC) + CenterCrop(R).

Run with Debian's interpreter (python3-pil, python3-skimage), from the repository root:
    /usr/bin/python3 tools/golden/preprocess_golden.py [photo paths...]
Default photos: astronaut.png, coffee.png, rocket.jpg from python3-skimage's data folder. The photos are not
committed; the index records each one's SHA-256 so the C# test can check it reads the same file.
The script also writes small self-contained PNG fixtures cut from a sample photo (an upscale case and a
large-factor non-square downscale case) and a tiny JPEG carrying an EXIF orientation tag.

Outputs, in tests/CleanClip.Tests/Fixtures/preprocess/:
    <name>.u8   raw uint8, CHW order (3 x R x R), the image after resize + center crop, before ToTensor/Normalize
    index.json  one entry per case: file, sha256, SHA-256 of the decoded RGB pixels, source size, resolution,
                resized size, output file and shape

torchvision semantics re-stated here without torchvision (CLIP's Processor composes these on a PIL image):
  * Image.open(path).convert("RGB")                     (no EXIF transpose)
  * Resize(R, interpolation=BICUBIC) on a PIL image (torchvision.transforms.functional.resize ->
    _compute_resized_output_size): short, long = sorted sides; new_short = R; new_long = int(R * long / short)
    (truncation); then img.resize((new_w, new_h), Image.BICUBIC). Old torchvision (CLIP's era) returned the
    image unchanged when the short side already equals R; PIL's resize to the same size is a copy, so both agree.
  * CenterCrop(R): top = int(round((h - R) / 2.0)), left = int(round((w - R) / 2.0)) with Python's round,
    i.e. round-half-to-even; no padding is needed because both sides are >= R after the resize.
  * ToTensor then divides by 255 in float32 and Normalize computes (x - mean) / std; neither is stored here.
"""
import hashlib
import json
import os
import sys

import numpy as np
import PIL
from PIL import Image

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO, "tests", "CleanClip.Tests", "Fixtures", "preprocess")
SKIMAGE_DATA = "/usr/lib/python3/dist-packages/skimage/data"
DEFAULT_PHOTOS = ["astronaut.png", "coffee.png", "rocket.jpg"]


def resized_size(w, h, r):
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = r, int(r * long / short)
    return (new_short, new_long) if w <= h else (new_long, new_short)


def clip_resize_crop(img, r):
    w, h = img.size
    nw, nh = resized_size(w, h, r)
    img = img.resize((nw, nh), Image.BICUBIC)
    top = int(round((nh - r) / 2.0))
    left = int(round((nw - r) / 2.0))
    img = img.crop((left, top, left + r, top + r))
    return np.ascontiguousarray(np.asarray(img, dtype=np.uint8).transpose(2, 0, 1)), (nw, nh)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def case(path, name, r, origin):
    img = Image.open(path)
    mode = img.mode
    img = img.convert("RGB")
    chw, (nw, nh) = clip_resize_crop(img, r)
    out_name = name + ".u8"
    chw.tofile(os.path.join(OUT, out_name))
    return {
        "name": name,
        "file": os.path.basename(path),
        "origin": origin,  # "skimage": searched in python3-skimage's data folder; "fixture": next to this index
        "sha256": sha256(path),
        "decoded_rgb_sha256": hashlib.sha256(img.tobytes()).hexdigest(),  # convert("RGB") pixels, HWC
        "bytes": os.path.getsize(path),
        "mode": mode,
        "source_size": [img.width, img.height],
        "resolution": r,
        "resized_size": [nw, nh],
        "output": out_name,
        "output_shape": [3, r, r],
        "layout": "CHW",
    }


def make_fixtures():
    """Cut small PNGs from coffee.png so the up/downscale tests need no skimage at all."""
    coffee = Image.open(os.path.join(SKIMAGE_DATA, "coffee.png")).convert("RGB")
    # Upscale: 72x48 -> short side 128 (factor 2.67), non-square.
    up = coffee.crop((300, 100, 372, 148))
    up.save(os.path.join(OUT, "upscale_72x48.png"), optimize=True)
    # Large-factor non-square downscale: 200x128 -> short side 12 (factor 10.7, a 43-tap bicubic support).
    down = coffee.crop((150, 120, 350, 248))
    down.save(os.path.join(OUT, "downscale_200x128.png"), optimize=True)
    # EXIF orientation 6 ("rotate 90 CW to display"): PIL's Image.open ignores it, so must we.
    exif = Image.Exif()
    exif[0x0112] = 6
    coffee.crop((0, 0, 32, 16)).save(os.path.join(OUT, "exif_orientation6_32x16.jpg"), quality=90, exif=exif)
    return [
        (os.path.join(OUT, "upscale_72x48.png"), "upscale_72x48", 128),
        (os.path.join(OUT, "downscale_200x128.png"), "downscale_200x128", 12),
    ]


def main(argv):
    os.makedirs(OUT, exist_ok=True)
    photos = argv or [os.path.join(SKIMAGE_DATA, p) for p in DEFAULT_PHOTOS]
    entries = []
    for p in photos:
        entries.append(case(p, os.path.splitext(os.path.basename(p))[0], 224, "skimage"))
    for p, name, r in make_fixtures():
        entries.append(case(p, name, r, "fixture"))
    index = {
        "generator": "tools/golden/preprocess_golden.py",
        "pillow": PIL.__version__,
        "skimage_data": SKIMAGE_DATA,
        "cases": entries,
    }
    with open(os.path.join(OUT, "index.json"), "w") as f:
        json.dump(index, f, indent=2)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {len(entries)} cases to {OUT} ({total} bytes)")


if __name__ == "__main__":
    main(sys.argv[1:])
