"""Draw the Teams app icons (``color.png`` and ``outline.png``) next to this file.

The PNGs are committed; run this only to change the design::

    python -m manifest.make_icons

The glyph is three connected circles (a community). Shapes are drawn as greyscale masks at 8x size and
scaled down, so edges are anti-aliased while the outline icon stays pure white (only alpha varies).
Needs Pillow (a dev dependency); the bot itself never imports this module.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
ACCENT = (14, 90, 107)  # #0E5A6B, the manifest's accentColor
WHITE = (255, 255, 255)
SCALE = 8

# Glyph geometry in a unit square: three circle centres (top, bottom left, bottom right).
CENTRES = ((0.5, 0.25), (0.2, 0.75), (0.8, 0.75))


def _glyph_mask(size: int, box: tuple[float, float, float, float], radius: float, line: float) -> Image.Image:
    """Mask of three filled circles joined by lines, fitted into ``box`` (fractions of ``size``)."""
    big = size * SCALE
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    left, top, right, bottom = (v * big for v in box)
    points = [(left + x * (right - left), top + y * (bottom - top)) for x, y in CENTRES]
    r = radius * big
    for i, start in enumerate(points):
        end = points[(i + 1) % len(points)]
        draw.line([start, end], fill=255, width=round(line * big))
    for x, y in points:
        draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return mask.resize((size, size), Image.Resampling.LANCZOS)


def _rounded_square_mask(size: int, corner: float) -> Image.Image:
    big = size * SCALE
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, big - 1, big - 1), radius=round(corner * big), fill=255)
    return mask.resize((size, size), Image.Resampling.LANCZOS)


def make_color(size: int = 192) -> Image.Image:
    """Full-colour icon: white glyph on a deep teal rounded square."""
    image = Image.new("RGBA", (size, size), (*ACCENT, 255))
    image.putalpha(_rounded_square_mask(size, corner=0.2))
    white = Image.new("RGBA", (size, size), (*WHITE, 255))
    image.paste(white, (0, 0), _glyph_mask(size, (0.18, 0.18, 0.82, 0.82), radius=0.085, line=0.035))
    return image


def make_outline(size: int = 32) -> Image.Image:
    """Outline icon: white glyph on a transparent background (RGB is white everywhere)."""
    image = Image.new("RGBA", (size, size), (*WHITE, 255))
    image.putalpha(_glyph_mask(size, (0.0, 0.0, 1.0, 1.0), radius=0.14, line=0.075))
    return image


def main() -> None:
    make_color().save(HERE / "color.png", optimize=True)
    make_outline().save(HERE / "outline.png", optimize=True)


if __name__ == "__main__":
    main()
