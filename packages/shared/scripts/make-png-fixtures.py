#!/usr/bin/env python3
"""Writes PNG test fixtures with Python's own zlib, independently of EdgeGAN's TypeScript encoder.

Every colour type and bit depth PNG allows, plain and Adam7-interlaced, with tRNS where it
applies, each row filtered with a different one of the five filters. Beside each NAME.png goes
NAME.json: width, height, channels and the 8-bit samples a decoder must return (palette expanded,
tRNS as alpha, 16-bit rounded as v * 255 / 65535, low depths scaled to 0..255).
Run: python3 packages/shared/scripts/make-png-fixtures.py packages/shared/fixtures/png
"""
import json, random, struct, sys, zlib, os

W, H = 7, 5  # odd sizes: partial bytes at low depths, empty Adam7 passes
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
SAMPLES = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def pack_row(values, depth):
    if depth == 16:
        return b"".join(struct.pack(">H", v) for v in values)
    if depth == 8:
        return bytes(values)
    out, acc, bits = bytearray(), 0, 0
    for v in values:
        acc = (acc << depth) | v
        bits += depth
        if bits == 8:
            out.append(acc); acc, bits = 0, 0
    if bits:
        out.append(acc << (8 - bits))
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def filter_rows(rows, bpp, first_filter):
    out, prev = bytearray(), bytes(len(rows[0])) if rows else b""
    for i, row in enumerate(rows):
        f = (first_filter + i) % 5
        out.append(f)
        for x, v in enumerate(row):
            a = row[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][f]
            out.append((v - pred) & 0xFF)
        prev = row
    return bytes(out)


def to8(v, depth):
    return round(v * 255 / ((1 << depth) - 1))


def make(name, color, depth, interlaced, trns, rng, outdir):
    n = SAMPLES[color]
    top = (1 << depth) - 1
    palette = [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(min(256, top + 1))] if color == 3 else None
    img = [[[rng.randrange(len(palette) if palette else top + 1) for _ in range(n)] for _ in range(W)] for _ in range(H)]
    key = None
    if trns and color in (0, 2):
        key = list(img[1][2])  # this pixel's colour becomes transparent
        img[3][4] = list(key)
    alphas = [rng.randrange(256) for _ in range(len(palette) - 2)] if trns and color == 3 else None
    bpp = max(1, n * depth // 8)
    passes = ADAM7 if interlaced else [(0, 0, 1, 1)]
    raw = b""
    for p, (x0, y0, dx, dy) in enumerate(passes):
        xs, ys = list(range(x0, W, dx)), list(range(y0, H, dy))
        if not xs or not ys:
            continue
        rows = [pack_row([s for x in xs for s in img[y][x]], depth) for y in ys]
        raw += filter_rows(rows, bpp, p)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, depth, color, 0, 0, int(interlaced)))
    if palette:
        png += chunk(b"PLTE", bytes(c for rgb in palette for c in rgb))
    if key is not None:
        png += chunk(b"tRNS", b"".join(struct.pack(">H", v) for v in key))
    if alphas is not None:
        png += chunk(b"tRNS", bytes(alphas))
    data = zlib.compress(raw, 9)
    png += chunk(b"IDAT", data[: len(data) // 2]) + chunk(b"IDAT", data[len(data) // 2 :]) + chunk(b"IEND", b"")
    expected = []
    for y in range(H):
        for x in range(W):
            s = img[y][x]
            if palette:
                expected += palette[s[0]]
                if alphas is not None:
                    expected.append(alphas[s[0]] if s[0] < len(alphas) else 255)
            else:
                expected += [to8(v, depth) for v in s]
                if key is not None:
                    expected.append(0 if s == key else 255)
    channels = (4 if alphas is not None else 3) if palette else n + (1 if key is not None else 0)
    with open(os.path.join(outdir, name + ".png"), "wb") as f:
        f.write(png)
    with open(os.path.join(outdir, name + ".json"), "w") as f:
        json.dump({"width": W, "height": H, "channels": channels, "pixels": expected}, f)
        f.write("\n")


def main():
    outdir = sys.argv[1]
    rng = random.Random(21)
    for color, depths in [(0, [1, 2, 4, 8, 16]), (2, [8, 16]), (3, [1, 2, 4, 8]), (4, [8, 16]), (6, [8, 16])]:
        for depth in depths:
            for interlaced in (False, True):
                for trns in ([False, True] if color in (0, 2, 3) else [False]):
                    name = f"c{color}-d{depth}{'-adam7' if interlaced else ''}{'-trns' if trns else ''}"
                    make(name, color, depth, interlaced, trns, rng, outdir)


main()
