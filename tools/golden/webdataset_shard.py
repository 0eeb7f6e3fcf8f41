#!/usr/bin/python3
"""A WebDataset shard written the way img2dataset writes them, for CleanClip's shard reader tests.

img2dataset writes samples through webdataset's TarWriter, which is Python's tarfile in stream mode ("w|", the default
PAX format, padded to 10240-byte records) with one TarInfo per member: size, mtime, mode 0o444, user and group
"bigdata". This script does the same with the standard library alone (the PNGs are encoded by hand with zlib).

Run from the repository root:
    python3 tools/golden/webdataset_shard.py
Writes tests/CleanClip.Tests/Fixtures/webdataset/img2dataset-style.tar (and copies it to fuzz/corpus/shard/ as the
shard fuzz target's seed) holding, in order:
    000000000.png/.txt/.json   an 8x8 red PNG, caption "a red square"
    000000001.png/.txt/.json   an 8x8 blue PNG, caption "ünïcödé caption, with a comma" (UTF-8)
    000000002.json             metadata only (a failed download): no image, no caption
    long/<120 x's>/000000003.png/.txt   a member path over 100 characters, stored in a PAX header
"""
import io
import json
import shutil
import struct
import tarfile
import zlib

OUT = "tests/CleanClip.Tests/Fixtures/webdataset/img2dataset-style.tar"
FUZZ_SEED = "fuzz/corpus/shard/img2dataset-style.tar"
MTIME = 1700000000


def png(width, height, rgb):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = MTIME
    info.mode = 0o444
    info.uname = info.gname = "bigdata"
    tar.addfile(info, io.BytesIO(data))


def sample(tar, key, image, caption):
    add(tar, key + ".png", image)
    add(tar, key + ".txt", caption.encode("utf-8"))
    add(tar, key + ".json", json.dumps({"key": key, "caption": caption, "status": "success"}).encode("utf-8"))


def main():
    with open(OUT, "wb") as stream, tarfile.open(fileobj=stream, mode="w|") as tar:
        sample(tar, "000000000", png(8, 8, (255, 0, 0)), "a red square")
        sample(tar, "000000001", png(8, 8, (0, 0, 255)), "ünïcödé caption, with a comma")
        add(tar, "000000002.json", json.dumps({"key": "000000002", "status": "failed_to_download"}).encode("utf-8"))
        long_key = "long/" + "x" * 120 + "/000000003"
        add(tar, long_key + ".png", png(8, 8, (0, 255, 0)))
        add(tar, long_key + ".txt", "a green square".encode("utf-8"))
    shutil.copyfile(OUT, FUZZ_SEED)


if __name__ == "__main__":
    main()
