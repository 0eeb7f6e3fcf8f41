#!/usr/bin/env python3
"""Scores tried offline against `cleanclip scan`'s detectors, on finished scans (image side, and optionally the text
side of the same table): local intrinsic dimension (low = poison), k-distance over the whole set with the dense side
as poison, a k-ladder gap score (max over k of log d_2k / d_k), and two caption re-ranks of each detector (its top M
restricted to their most common caption; or its rank plus the rank of the caption's similarity to the top M's mean
caption embedding). AUROC and precision at the true poison count for each.

    python3 experiments/scan-detection/offline-alternatives.py IMAGE_SCAN [--text TEXT_SCAN] ... --out DIR
    # each IMAGE_SCAN is a scan --out folder (scan.json, scores.csv); TEXT_SCAN the same table scanned with --side text
"""
import argparse
import collections
import csv
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from summaries import write  # noqa: E402


def auroc(score, y):
    order = np.argsort(score, kind="stable")
    ranks = np.empty(len(score))
    ranks[order] = np.arange(1, len(score) + 1)
    p, n = y.sum(), len(y) - y.sum()
    return float((ranks[y == 1].sum() - p * (p + 1) / 2) / (p * n))


def precision(score, y):
    return float(y[np.argsort(-score, kind="stable")[: y.sum()]].mean())


def rank01(score):
    order = np.argsort(score, kind="stable")
    ranks = np.empty(len(score))
    ranks[order] = np.arange(len(score))
    return ranks / (len(score) - 1)


def unit(path):
    e = np.load(path).astype(np.float64)
    return e / np.linalg.norm(e, axis=1, keepdims=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scans", nargs="+", help="image-side scan folders")
    parser.add_argument("--text", action="append", default=[], help="text-side scan folder of the same table, one per image scan, in order")
    parser.add_argument("--top", type=int, default=100, help="M, the detector's top rows the caption re-ranks read")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rows_out = []
    for i, folder in enumerate(args.scans):
        with open(os.path.join(folder, "scan.json")) as f:
            scan = json.load(f)
        with open(os.path.join(folder, "scores.csv")) as f:
            rows = list(csv.DictReader(f))
        y = np.array([int(r["is_backdoor"]) for r in rows])
        image = unit(scan["embeddings"])[[int(r["row"]) for r in rows]]
        distances = np.sqrt(np.maximum(2 - 2 * image @ image.T, 0))
        np.fill_diagonal(distances, np.inf)
        nearest = np.sort(distances, axis=1)[:, :400]
        scores = {}
        for k in (10, 50, 100, 400):
            d = nearest[:, :k]
            scores[f"lid k={k} (low)"] = 1 / np.mean(np.log(np.maximum(d, 1e-12) / d[:, -1:]), axis=1)
        for k in (16, 64, 256):
            scores[f"kdist k={k} (dense)"] = -nearest[:, k - 1]
        scores["k-ladder gap"] = np.max([np.log(nearest[:, 2 * k - 1] / nearest[:, k - 1]) for k in (8, 16, 32, 64, 128, 200)], axis=0)
        text = unit(json.load(open(os.path.join(args.text[i], "scan.json")))["embeddings"]) if i < len(args.text) else None
        for det in ("multik", "slof", "kdist", "dao"):
            s = np.array([float(r[det]) for r in rows])
            scores[det] = s
            top = np.argsort(-s, kind="stable")[: args.top]
            mode = collections.Counter(rows[j]["caption"] for j in top).most_common(1)[0][0]
            scores[f"{det}, top {args.top}'s commonest caption first"] = s + 1e9 * np.array([r["caption"] == mode for r in rows])
            if text is not None:
                centre = text[top].mean(0)
                scores[f"{det} + caption consensus"] = rank01(s) + rank01(text @ (centre / np.linalg.norm(centre)))
        for name, s in scores.items():
            rows_out.append({"scan": folder, "score": name, "auroc": auroc(s, y), "precision_at_true_count": precision(s, y)})
    lines = ["# Alternative scores, offline, on finished scans", "",
             "Written by experiments/scan-detection/offline-alternatives.py. AUROC / precision at the true poison count.", "",
             "| scan | score | AUROC | precision |", "|---|---|---|---|"]
    lines += [f"| {r['scan']} | {r['score']} | {r['auroc']:.3f} | {r['precision_at_true_count']:.2f} |" for r in rows_out]
    write(args.out, "offline-alternatives", {"rows": rows_out}, lines)


if __name__ == "__main__":
    main()
