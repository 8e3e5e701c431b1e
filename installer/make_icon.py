"""Render resources/icons/casework.svg into the icons a build needs: ``casework.png``
(256 px, for a Linux desktop entry) and ``casework.ico`` (16 to 256 px, PNG-compressed
entries, for the Windows executables and the MSI). Used by casework.spec at build time,
so no generated binary is committed. ``python installer/make_icon.py OUT_DIR``."""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 256)
SVG = Path(__file__).resolve().parent.parent / "resources" / "icons" / "casework.svg"


def _png(renderer: object, size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage, QPainter, Qt

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)  # type: ignore[attr-defined]
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return bytes(data.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """An ICO file holding PNG images (Windows Vista and later read these)."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in sorted(pngs.items()):
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def make(out_dir: Path) -> tuple[Path, Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"make_icon: cannot read {SVG}")
    pngs = {size: _png(renderer, size) for size in SIZES}
    out_dir.mkdir(parents=True, exist_ok=True)
    png_path, ico_path = out_dir / "casework.png", out_dir / "casework.ico"
    png_path.write_bytes(pngs[256])
    ico_path.write_bytes(ico(pngs))
    del _app
    return png_path, ico_path


if __name__ == "__main__":
    for path in make(Path(sys.argv[1] if len(sys.argv) > 1 else "build/icons")):
        print(path)
