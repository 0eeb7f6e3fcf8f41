#!/usr/bin/env python3
"""Reads an image-caption table the way OpenCLIP's --train-data does with --dataset-type csv, and reports what it got.

Our own re-statement of OpenCLIP's CsvDataset, with the csv module instead of pandas: the table is read with the
separator given by --csv-separator (OpenCLIP's default is a tab), the header names the columns, the image column
(--csv-img-key, default "filepath") and the caption column (--csv-caption-key, default "title") are taken from every
row, and each image path is opened as written, relative to the current directory (OpenCLIP does not join it with the
table's folder). Standard library only, so the C# test can run it wherever a python3 is present.

    python3 tools/golden/openclip_csv.py TABLE [--csv-img-key K] [--csv-caption-key K] [--csv-separator S]

Prints one JSON object: {"rows": N, "captions": [...], "images": [...]} with every image path as read; exits 1 with
one line on stderr when a column is missing or an image cannot be opened.
"""
import argparse
import csv
import json
import os
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("table")
    parser.add_argument("--csv-img-key", default="filepath")
    parser.add_argument("--csv-caption-key", default="title")
    parser.add_argument("--csv-separator", default="\t")
    args = parser.parse_args()
    with open(args.table, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f, delimiter=args.csv_separator)
        for key in (args.csv_img_key, args.csv_caption_key):
            if key not in (reader.fieldnames or []):
                sys.exit(f"{args.table}: no column '{key}' (columns: {reader.fieldnames})")
        rows = list(reader)
    images = [row[args.csv_img_key] for row in rows]
    captions = [str(row[args.csv_caption_key]) for row in rows]
    for path in images:
        try:
            with open(str(path), "rb") as image:
                head = image.read(8)
        except OSError as e:
            sys.exit(f"{args.table}: image '{path}' cannot be opened from {os.getcwd()}: {e}")
        if not (head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8")):
            sys.exit(f"{args.table}: image '{path}' is neither PNG nor JPEG")
    json.dump({"rows": len(rows), "captions": captions, "images": images}, sys.stdout)


if __name__ == "__main__":
    main()
