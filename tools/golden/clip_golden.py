#!/usr/bin/env python3
"""Golden vectors for CleanClip's CLIP models: a small, independent PyTorch re-statement of the three towers
(ModifiedResNet, VisionTransformer, causal text transformer) with OpenAI CLIP's parameter names, written from the
architecture description in docs/reference-behaviour.md section 3.1.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 tools/golden/clip_golden.py tests/CleanClip.Tests/Fixtures/golden
For each tiny config it writes
  <name>.pt      torch.save(state_dict)                   (PyTorch zip state dict)
  <name>.ts.pt   torch.jit.trace of the model, with the three scalar buffers OpenAI's archives carry
  <name>.*.npy   fixed inputs and the expected image/text features
and attnpool.* for a standalone AttentionPool2d on a 3x3 grid (tiny-rn at 32 px pools a 1x1 grid only).
"""
import math
import os
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

TINY = {
    # name: (embed_dim, resolution, vision_layers, vision_width, vision_heads, patch, context, vocab, text_width, text_heads, text_layers)
    "tiny-rn": (32, 32, (1, 1, 1, 1), 8, 4, None, 77, 1024, 64, 4, 2),
    "tiny-vit": (32, 32, 2, 64, 4, 8, 77, 1024, 64, 4, 2),
    # tiny-vit as OpenCLIP builds its plain (non-"quickgelu") configs: exact GELU in every transformer MLP.
    "tiny-vit-gelu": (32, 32, 2, 64, 4, 8, 77, 1024, 64, 4, 2, "gelu"),
}


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride):
        super().__init__()
        out = planes * self.expansion
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.avgpool = nn.AvgPool2d(stride) if stride > 1 else nn.Identity()
        self.conv3 = nn.Conv2d(planes, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.downsample = None
        if stride > 1 or inplanes != out:
            self.downsample = nn.Sequential(OrderedDict([
                ("-1", nn.AvgPool2d(stride)),
                ("0", nn.Conv2d(inplanes, out, 1, bias=False)),
                ("1", nn.BatchNorm2d(out))]))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(self.avgpool(y)))
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(y + shortcut)


class AttentionPool2d(nn.Module):
    def __init__(self, grid, dim, heads, out_dim):
        super().__init__()
        self.positional_embedding = nn.Parameter(torch.randn(grid * grid + 1, dim) / dim ** 0.5)
        self.k_proj = nn.Linear(dim, dim)
        self.q_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.c_proj = nn.Linear(dim, out_dim)
        self.heads = heads

    def forward(self, x):
        tokens = x.flatten(2).permute(2, 0, 1)                    # (HW, N, C)
        tokens = torch.cat([tokens.mean(0, keepdim=True), tokens])  # (HW+1, N, C)
        tokens = tokens + self.positional_embedding[:, None, :]
        out, _ = F.multi_head_attention_forward(
            query=tokens[:1], key=tokens, value=tokens, embed_dim_to_check=tokens.shape[-1],
            num_heads=self.heads, q_proj_weight=self.q_proj.weight, k_proj_weight=self.k_proj.weight,
            v_proj_weight=self.v_proj.weight, in_proj_weight=None,
            in_proj_bias=torch.cat([self.q_proj.bias, self.k_proj.bias, self.v_proj.bias]),
            bias_k=None, bias_v=None, add_zero_attn=False, dropout_p=0.0,
            out_proj_weight=self.c_proj.weight, out_proj_bias=self.c_proj.bias,
            use_separate_proj_weight=True, training=self.training, need_weights=False)
        return out.squeeze(0)


class ModifiedResNet(nn.Module):
    def __init__(self, layers, output_dim, heads, resolution, width):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width // 2, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width // 2)
        self.conv2 = nn.Conv2d(width // 2, width // 2, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width // 2)
        self.conv3 = nn.Conv2d(width // 2, width, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(width)
        self.avgpool = nn.AvgPool2d(2)
        inplanes = width
        for i, blocks in enumerate(layers):
            planes = width * 2 ** i
            stride = 1 if i == 0 else 2
            stage = [Bottleneck(inplanes, planes, stride)]
            inplanes = planes * 4
            stage += [Bottleneck(inplanes, planes, 1) for _ in range(1, blocks)]
            setattr(self, f"layer{i + 1}", nn.Sequential(*stage))
        self.attnpool = AttentionPool2d(resolution // 32, width * 32, heads, output_dim)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = self.avgpool(F.relu(self.bn3(self.conv3(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.attnpool(x)


def activation(name):
    return nn.GELU() if name == "gelu" else QuickGELU()


class Block(nn.Module):
    def __init__(self, width, heads, causal_len, act="quickgelu"):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_1 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(OrderedDict([
            ("c_fc", nn.Linear(width, width * 4)), ("gelu", activation(act)), ("c_proj", nn.Linear(width * 4, width))]))
        self.ln_2 = nn.LayerNorm(width)
        self.causal_len = causal_len

    def forward(self, x):                                        # (L, N, D)
        mask = None
        if self.causal_len:
            L = x.shape[0]
            mask = torch.full((L, L), float("-inf")).triu_(1)
        h = self.ln_1(x)
        x = x + self.attn(h, h, h, need_weights=False, attn_mask=mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads, causal, act="quickgelu"):
        super().__init__()
        self.resblocks = nn.Sequential(*[Block(width, heads, causal, act) for _ in range(layers)])

    def forward(self, x):
        return self.resblocks(x)


class VisionTransformer(nn.Module):
    def __init__(self, resolution, patch, width, layers, heads, output_dim, act="quickgelu"):
        super().__init__()
        scale = width ** -0.5
        self.conv1 = nn.Conv2d(3, width, patch, stride=patch, bias=False)
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn((resolution // patch) ** 2 + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = Transformer(width, layers, heads, causal=False, act=act)
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def forward(self, x):
        x = self.conv1(x).flatten(2).transpose(1, 2)              # (N, grid*grid, D)
        cls = self.class_embedding.expand(x.shape[0], 1, -1)
        x = self.ln_pre(torch.cat([cls, x], 1) + self.positional_embedding)
        x = self.transformer(x.transpose(0, 1)).transpose(0, 1)
        return self.ln_post(x[:, 0]) @ self.proj


class Clip(nn.Module):
    def __init__(self, embed, res, vlayers, vwidth, vheads, patch, ctx, vocab, twidth, theads, tlayers, act="quickgelu"):
        super().__init__()
        if patch is None:
            self.visual = ModifiedResNet(vlayers, embed, vheads, res, vwidth)
        else:
            self.visual = VisionTransformer(res, patch, vwidth, vlayers, vheads, embed, act)
        self.transformer = Transformer(twidth, tlayers, theads, causal=True, act=act)
        self.token_embedding = nn.Embedding(vocab, twidth)
        self.positional_embedding = nn.Parameter(torch.randn(ctx, twidth) * 0.01)
        self.ln_final = nn.LayerNorm(twidth)
        self.text_projection = nn.Parameter(torch.randn(twidth, embed) * twidth ** -0.5)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def encode_image(self, image):
        return self.visual(image)

    def encode_text(self, text):
        x = self.token_embedding(text) + self.positional_embedding
        x = self.ln_final(self.transformer(x.transpose(0, 1)).transpose(0, 1))
        return x[torch.arange(x.shape[0]), text.argmax(-1)] @ self.text_projection

    def forward(self, image, text):
        return self.encode_image(image), self.encode_text(text)


def randomize(model, gen):
    """Random weights everywhere, incl. BN statistics, so a wrong tensor anywhere shows in the output."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 0:
                continue
            if name.endswith("weight") and ("bn" in name or "ln" in name or name.endswith("downsample.1.weight")):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(torch.randn(p.shape, generator=gen) * (0.3 / max(1, p.shape[-1]) ** 0.5 if p.dim() > 1 else 0.1))
        for name, b in model.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(0.1 * torch.randn(b.shape, generator=gen))
            elif name.endswith("running_var"):
                b.copy_(0.5 + torch.rand(b.shape, generator=gen))
            elif name.endswith("num_batches_tracked"):
                b.fill_(7)


def tokens(gen, n, ctx, vocab, eot_positions):
    t = torch.zeros(n, ctx, dtype=torch.long)
    for i, eot in enumerate(eot_positions):
        t[i, 0] = vocab - 2
        t[i, 1:eot] = torch.randint(1, vocab - 2, (eot - 1,), generator=gen)
        if eot < ctx:
            t[i, eot] = vocab - 1
    return t


def save(out, name, **arrays):
    for key, value in arrays.items():
        np.save(os.path.join(out, f"{name}.{key}.npy"), value.detach().numpy())


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    for name, cfg in TINY.items():
        gen = torch.Generator().manual_seed(1234)
        model = Clip(*cfg)
        randomize(model, gen)
        model.eval()
        res, ctx, vocab = cfg[1], cfg[6], cfg[7]
        pixels = torch.randn(3, 3, res, res, generator=gen)
        # EOT at 5, 12 and 76 (a caption filling the context); the third row has no EOT (reference truncation).
        text = tokens(gen, 4, ctx, vocab, [5, 12, 76, 77])
        with torch.no_grad():
            image_features, text_features = model(pixels, text)
        torch.save(model.state_dict(), os.path.join(out, f"{name}.pt"))
        # OpenAI's TorchScript archives carry these three scalars next to the weights.
        model.register_buffer("input_resolution", torch.tensor(res))
        model.register_buffer("context_length", torch.tensor(ctx))
        model.register_buffer("vocab_size", torch.tensor(vocab))
        traced = torch.jit.trace(model, (pixels, text), check_trace=False)
        torch.jit.save(traced, os.path.join(out, f"{name}.ts.pt"))
        save(out, name, pixels=pixels, tokens=text, image_features=image_features, text_features=text_features)

    # Standalone attention pooling on a 3x3 grid: checks token order, the mean token and the head split.
    gen = torch.Generator().manual_seed(99)
    pool = AttentionPool2d(3, 32, 4, 16)
    randomize(pool, gen)
    x = torch.randn(2, 32, 3, 3, generator=gen)
    with torch.no_grad():
        y = pool(x)
    torch.save(pool.state_dict(), os.path.join(out, "attnpool.pt"))
    save(out, "attnpool", input=x, output=y)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/CleanClip.Tests/Fixtures/golden")
