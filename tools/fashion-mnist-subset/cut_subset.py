#!/usr/bin/env python3
"""Cut the Fashion-MNIST subset shipped in data/fashion-mnist/ from the full dataset, byte for byte reproducibly.

Takes the first N training and first M test images (and their labels) of Fashion-MNIST's idx files, keeps the idx
format (magic 00 00 08 0D/01, big-endian sizes, the count rewritten), and gzips them with a zero timestamp and no file
name, so the same input and zlib give the same bytes. Uses only the standard library.

    python3 tools/fashion-mnist-subset/cut_subset.py /usr/share/dataset-fashion-mnist data/fashion-mnist

The source folder holds the four files as the dataset ships them: train-images-idx3-ubyte.gz,
train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz (plain files without .gz also work).
"""
import argparse
import gzip
import hashlib
import os
import struct


def read_idx(folder, name):
    for candidate, opener in ((name, open), (name + ".gz", gzip.open)):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            with opener(path, "rb") as f:
                data = f.read()
            break
    else:
        raise SystemExit(f"{folder}: no {name} or {name}.gz")
    if data[0:2] != b"\0\0" or data[2] != 0x08:
        raise SystemExit(f"{path}: not an idx file of unsigned bytes")
    rank = data[3]
    shape = list(struct.unpack(f">{rank}i", data[4:4 + 4 * rank]))
    body = data[4 + 4 * rank:]
    if len(body) != product(shape):
        raise SystemExit(f"{path}: header says {shape}, the file holds {len(body)} data bytes")
    return shape, body


def product(shape):
    product = 1
    for size in shape:
        product *= size
    return product


def write_idx(path, shape, body):
    header = bytes([0, 0, 0x08, len(shape)]) + struct.pack(f">{len(shape)}i", *shape)
    with open(path, "wb") as raw:
        # mtime=0 and an empty file name keep the gzip header free of anything but the data.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as f:
            f.write(header + body)
    with open(path, "rb") as f:
        print(f"{hashlib.sha256(f.read()).hexdigest()}  {os.path.basename(path)}  {shape}")


def cut(source, out, prefix, count):
    images_shape, images = read_idx(source, f"{prefix}-images-idx3-ubyte")
    labels_shape, labels = read_idx(source, f"{prefix}-labels-idx1-ubyte")
    if count > images_shape[0] or images_shape[0] != labels_shape[0]:
        raise SystemExit(f"{source}: {prefix} has {images_shape[0]} images and {labels_shape[0]} labels; {count} asked for")
    pixels = images_shape[1] * images_shape[2]
    write_idx(os.path.join(out, f"{prefix}-images-idx3-ubyte.gz"), [count] + images_shape[1:], images[:count * pixels])
    write_idx(os.path.join(out, f"{prefix}-labels-idx1-ubyte.gz"), [count], labels[:count])
    per_class = [labels[:count].count(bytes([c])) for c in range(10)]
    print(f"{prefix}: {count} images, per class {per_class}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="folder with Fashion-MNIST's idx files")
    parser.add_argument("out", help="folder to write the subset to")
    parser.add_argument("--train", type=int, default=12000, help="first N training images (default 12000)")
    parser.add_argument("--test", type=int, default=2000, help="first M test images (default 2000)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    cut(args.source, args.out, "train", args.train)
    cut(args.source, args.out, "t10k", args.test)


if __name__ == "__main__":
    main()
