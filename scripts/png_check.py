"""Check a screenshot: ``png_check.py FILE WIDTH HEIGHT``. It must exist, have the
window's size and show something: many colours, none covering nearly all of it (a blank
or uniform window fails)."""

from __future__ import annotations

import os
import sys
from collections import Counter


def main(path: str, width: int, height: int) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QImage

    image = QImage(path)
    if image.isNull():
        print(f"png-check: FAIL: {path} is missing or not an image")
        return 1
    if (image.width(), image.height()) != (width, height):
        print(f"png-check: FAIL: {image.width()}x{image.height()}, not {width}x{height}")
        return 1
    colours = Counter(image.pixel(x, y) for y in range(0, height, 4) for x in range(0, width, 4))
    top = colours.most_common(1)[0][1] / sum(colours.values())
    if len(colours) < 16 or top > 0.9:
        print(f"png-check: FAIL: the image is nearly blank ({len(colours)} colours, "
              f"{top:.0%} one colour)")
        return 1
    print(f"png-check: {path}: {width}x{height}, {len(colours)} colours, "
          f"largest {top:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
