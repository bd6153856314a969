"""Render the app icon's SVG master to the PNG sizes, Windows .ico and macOS .icns.

    python packaging/make_icons.py

Run after editing resources/icons/leshan-reader.svg; the outputs are committed, so builds need
no SVG renderer. Uses Qt (QtSvg) from the project's own PySide6, and writes ICO and ICNS
containers itself (both hold PNG images), so no other tool is needed on any platform.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
MASTER = ICONS / "leshan-reader.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types that hold PNG data, by pixel size.
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09", 1024: b"ic10"}


def render(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def ico(images: dict[int, bytes]) -> bytes:
    header = struct.pack("<HHH", 0, 1, len(images))
    entries, blobs = b"", b""
    offset = 6 + 16 * len(images)
    for size, png in sorted(images.items()):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def icns(images: dict[int, bytes]) -> bytes:
    body = b"".join(kind + struct.pack(">I", 8 + len(images[size])) + images[size]
                    for size, kind in ICNS_TYPES.items())
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    app = QGuiApplication(sys.argv)  # noqa: F841 (Qt's painting needs an application)
    renderer = QSvgRenderer(str(MASTER))
    if not renderer.isValid():
        print(f"cannot read {MASTER}", file=sys.stderr)
        return 1
    images = {size: render(renderer, size) for size in PNG_SIZES}
    for size, png in images.items():
        (ICONS / f"leshan-reader-{size}.png").write_bytes(png)
    (ICONS / "leshan-reader.ico").write_bytes(ico({s: images[s] for s in ICO_SIZES}))
    (ICONS / "leshan-reader.icns").write_bytes(icns(images))
    print(f"wrote {len(images)} PNGs, leshan-reader.ico and leshan-reader.icns to {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
