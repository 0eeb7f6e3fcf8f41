#!/usr/bin/python3
"""Writes the small checkpoint fixtures the C# checkpoint tests read, plus expected.json with their exact values.

Run with Debian's python3 (python3-torch):  /usr/bin/python3 tools/golden/checkpoint_fixtures.py
Output: tests/CleanClip.Tests/Fixtures/checkpoints/ (kept under 300 KB in total).

Every value in expected.json is exact: floats are written as the float64 of the stored value (f16/bf16/f32 all widen
to float64 without rounding), so the C# side can compare with ==. Values are seeded and reproducible; the bytes of
legacy_format.pt and torchscript_tiny.pt are not (torch embeds ids), so rerunning shows those two as changed.
"""
import collections
import json
import math
import os
import struct
import zipfile

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "CleanClip.Tests", "Fixtures",
                   "checkpoints")
FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


def describe(t):
    """Exact description of a tensor: dtype, shape, every element in row-major order, float64 sum."""
    t = t.detach().contiguous()
    if t.dtype == torch.bool:
        values = [int(v) for v in t.flatten().tolist()]
    elif t.dtype.is_floating_point:
        values = t.double().flatten().tolist()
    else:
        values = t.flatten().tolist()
    return {
        "dtype": str(t.dtype).replace("torch.", ""),
        "shape": list(t.shape),
        "values": values,
        "sum": float(t.double().sum().item()),
    }


def describe_dict(d):
    return collections.OrderedDict((k, describe(v)) for k, v in d.items())


def path(name):
    return os.path.join(OUT, name)


def plain_state_dict():
    g = torch.Generator().manual_seed(1)
    sd = collections.OrderedDict()
    sd["f32"] = torch.randn(3, 4, generator=g)
    sd["f64"] = torch.randn(2, 3, generator=g, dtype=torch.float64)
    sd["f16"] = torch.randn(5, generator=g).half()
    sd["bf16"] = torch.randn(2, 2, generator=g).bfloat16()
    sd["i64"] = torch.tensor([-3, 0, 7, 2 ** 40 + 3, -(2 ** 62)], dtype=torch.int64)
    sd["i32"] = torch.tensor([[-2147483648, 5], [17, 2147483647]], dtype=torch.int32)
    sd["i16"] = torch.tensor([-32768, 1, 32767], dtype=torch.int16)
    sd["i8"] = torch.tensor([-128, -1, 0, 127], dtype=torch.int8)
    sd["u8"] = torch.tensor([0, 1, 200, 255], dtype=torch.uint8)
    sd["bool"] = torch.tensor([True, False, True])
    sd["scalar"] = torch.tensor(3.25)
    sd["empty"] = torch.zeros(0, 3)
    # A Parameter pickles through torch._utils._rebuild_parameter rather than _rebuild_tensor_v2.
    sd["param"] = torch.nn.Parameter(torch.tensor([0.5, -1.5]))
    torch.save(sd, path("plain_state_dict.pt"))
    return describe_dict(sd)


class TinyClip(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.visual = torch.nn.Linear(4, 3)
        self.ln_final = torch.nn.LayerNorm(3)
        self.logit_scale = torch.nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def forward(self, x):
        return self.ln_final(self.visual(x)) * self.logit_scale.exp()


def cleanclip_checkpoint():
    torch.manual_seed(2)
    model = TinyClip()
    ddp_like = torch.nn.Module()
    ddp_like.module = model  # DistributedDataParallel keeps the model as .module: keys gain a "module." prefix
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    optimizer = torch.optim.AdamW([{"params": no_decay, "weight_decay": 0.0},
                                   {"params": decay, "weight_decay": 0.1}], lr=5e-4, betas=(0.9, 0.98), eps=1e-6)
    for _ in range(2):
        optimizer.zero_grad()
        model(torch.randn(5, 4)).pow(2).mean().backward()
        optimizer.step()
    checkpoint = {"epoch": 3, "name": "tiny-poisoned", "state_dict": ddp_like.state_dict(),
                  "optimizer": optimizer.state_dict()}
    torch.save(checkpoint, path("cleanclip_checkpoint.pt"))
    opt = optimizer.state_dict()
    return {
        "epoch": 3,
        "name": "tiny-poisoned",
        "state_dict": describe_dict(ddp_like.state_dict()),
        "optimizer": {
            "state": {str(k): {n: describe(v) for n, v in s.items()} for k, s in opt["state"].items()},
            "param_groups": [{k: v for k, v in g.items() if k != "params"} | {"params": g["params"]}
                             for g in opt["param_groups"]],
        },
    }


def noise_grid():
    # CleanCLIP's WaNet grid is saved as a permuted view: shape (1, H, W, 2), strides (2HW, W, 1, HW).
    g = torch.Generator().manual_seed(3)
    grid = (torch.rand(1, 2, 8, 8, generator=g) * 2 - 1).permute(0, 2, 3, 1)
    assert not grid.is_contiguous()
    torch.save(grid, path("noise_grid.pt"))
    return describe(grid) | {"stride": list(grid.stride())}


def views():
    base = torch.arange(20, dtype=torch.float32).reshape(10, 2)
    sd = collections.OrderedDict()
    sd["base"] = base
    sd["slice"] = base[2:5]  # storage offset 4, shares the storage with "base"
    sd["transposed"] = base.t()
    sd["stepped"] = torch.arange(12, dtype=torch.int64)[1::3]
    sd["offset_scalar"] = torch.arange(5, dtype=torch.float64)[3]  # 0-d with a storage offset
    torch.save(sd, path("views.pt"))
    out = describe_dict(sd)
    for k, v in sd.items():
        out[k]["stride"] = list(v.stride())
        out[k]["storage_offset"] = v.storage_offset()
    return out


class TinyText(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(4, 3)
        # OpenAI's released TorchScript CLIP keeps these three as integer scalars in its state dict.
        self.register_buffer("input_resolution", torch.tensor(224))
        self.register_buffer("context_length", torch.tensor(77))
        self.register_buffer("vocab_size", torch.tensor(49408))

    def forward(self, x):
        return self.proj(x) * self.context_length


def torchscript():
    torch.manual_seed(4)
    traced = torch.jit.trace(TinyText().eval(), torch.randn(2, 4))
    traced = traced.half()  # OpenAI's weights are fp16; integer buffers stay int64
    traced.save(path("torchscript_tiny.pt"))
    return describe_dict(traced.state_dict())


SAFETENSORS_DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
                      torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
                      torch.uint8: "U8", torch.bool: "BOOL"}


def tensor_bytes(t):
    t = t.contiguous()
    if t.numel() == 0:
        return b""
    # numpy has no bfloat16: reinterpret the bits as int16 first.
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(file, tensors, metadata):
    """Minimal independent writer: header JSON padded with spaces to 8 bytes, tensors in the given order."""
    header, chunks, offset = collections.OrderedDict(), [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        data = tensor_bytes(t)
        header[name] = {"dtype": SAFETENSORS_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(file, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def safetensors():
    g = torch.Generator().manual_seed(5)
    t = collections.OrderedDict()
    t["z.f32"] = torch.randn(2, 3, generator=g)
    t["a.f64"] = torch.randn(3, generator=g, dtype=torch.float64)
    t["f16"] = torch.randn(4, generator=g).half()
    t["bf16"] = torch.randn(3, generator=g).bfloat16()
    t["i64"] = torch.tensor([-(2 ** 62), 1, 2 ** 40], dtype=torch.int64)
    t["i32"] = torch.tensor([-7, 8], dtype=torch.int32)
    t["i16"] = torch.tensor([[-300, 301]], dtype=torch.int16)
    t["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    t["u8"] = torch.tensor([0, 255, 17], dtype=torch.uint8)
    t["bool"] = torch.tensor([False, True, True])
    t["scalar"] = torch.tensor(-2.5)
    t["empty"] = torch.zeros(0, 4)
    metadata = {"format": "pt", "note": "fixture ü"}
    write_safetensors(path("tensors.safetensors"), t, metadata)
    return {"metadata": metadata, "tensors": describe_dict(t)}


def write_zip(file, entries):
    with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, FIXED_ZIP_TIME), data)


def forbidden_global():
    # Hand-assembled pickle: PROTO 2, GLOBAL 'os system', ('true',), REDUCE, STOP. It is only ever written, never
    # unpickled, so nothing runs here either; the C# reader must refuse it at the GLOBAL opcode.
    pkl = b"\x80\x02" + b"cos\nsystem\n" + b"q\x00" + b"X\x04\x00\x00\x00true" + b"\x85" + b"R" + b"."
    write_zip(path("forbidden_global.pt"), [("forbidden_global/data.pkl", pkl), ("forbidden_global/version", b"3\n")])
    return {"global": "os.system"}


def legacy():
    torch.save(collections.OrderedDict(w=torch.ones(2)), path("legacy_format.pt"), _use_new_zipfile_serialization=False)


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = collections.OrderedDict()
    expected["torch_version"] = torch.__version__
    expected["plain_state_dict.pt"] = plain_state_dict()
    expected["cleanclip_checkpoint.pt"] = cleanclip_checkpoint()
    expected["noise_grid.pt"] = noise_grid()
    expected["views.pt"] = views()
    expected["torchscript_tiny.pt"] = torchscript()
    expected["tensors.safetensors"] = safetensors()
    expected["forbidden_global.pt"] = forbidden_global()
    legacy()
    with open(path("expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(path(n)) for n in os.listdir(OUT))
    assert total <= 300 * 1024, f"fixtures are {total} bytes, over the 300 KB budget"
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes, into {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
