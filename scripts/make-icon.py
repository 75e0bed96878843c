#!/usr/bin/env python3
"""Draws the Cristallo-RS app icon (a 3-storey frame on a rounded blue tile) as a 1024x1024 RGBA PNG
with only the standard library. `npx @tauri-apps/cli@2 icon <png>` turns it into the icon set in
src-tauri/icons.

Usage: python3 scripts/make-icon.py OUT.png
"""
import struct
import sys
import zlib

N = 1024  # output size
SS = 3  # supersampling per axis for smooth edges


def inside_rounded_rect(x, y, x0, y0, x1, y1, r):
    if x < x0 or x > x1 or y < y0 or y > y1:
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def colour_at(x, y):
    """Colour (r, g, b, a) of the point (x, y) in [0, 1]^2, or None for transparent."""
    if not inside_rounded_rect(x, y, 0.04, 0.04, 0.96, 0.96, 0.2):
        return None
    # Background: vertical gradient from a deep to a lighter steel blue.
    t = y
    bg = (int(22 + 30 * t), int(62 + 50 * t), int(120 + 60 * t), 255)
    white = (246, 248, 252, 255)
    accent = (255, 176, 59, 255)
    # Base plate.
    if inside_rounded_rect(x, y, 0.17, 0.80, 0.83, 0.86, 0.015):
        return white
    # Two columns.
    for cx in (0.27, 0.73):
        if cx - 0.025 <= x <= cx + 0.025 and 0.22 <= y <= 0.81:
            return white
    # Three floors; the top one in the accent colour (the tuned mass sits there).
    for i, fy in enumerate((0.22, 0.41, 0.60)):
        if inside_rounded_rect(x, y, 0.20, fy, 0.80, fy + 0.07, 0.02):
            return accent if i == 0 else white
    # Small tuned-mass block hanging below the top floor.
    if inside_rounded_rect(x, y, 0.44, 0.30, 0.56, 0.36, 0.012):
        return accent
    return bg


def main(path):
    rows = []
    for py in range(N):
        row = bytearray([0])  # filter type 0
        for px in range(N):
            acc = [0, 0, 0, 0]
            for sy in range(SS):
                for sx in range(SS):
                    c = colour_at((px + (sx + 0.5) / SS) / N, (py + (sy + 0.5) / SS) / N)
                    if c is not None:
                        for k in range(3):
                            acc[k] += c[k] * c[3]
                        acc[3] += c[3]
            a = acc[3] / (SS * SS)
            if acc[3] > 0:
                row += bytes([int(acc[0] / acc[3]), int(acc[1] / acc[3]), int(acc[2] / acc[3]), int(a)])
            else:
                row += bytes([0, 0, 0, 0])
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", N, N, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9))
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "icon-source.png")
