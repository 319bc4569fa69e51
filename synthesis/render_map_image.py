"""The whole journey map as one PNG image, without a browser: the printable document
(:mod:`synthesis.render_pdf`) laid out on a single page as tall as it needs, drawn by
PDFium (``pypdfium2``) and saved by Pillow.

Why this way: a server has WeasyPrint for the PDF already, and PDFium is a wheel with
its own binary, so the image needs no browser, no X server and no extra system package;
it shows exactly what the PDF shows.
"""

from __future__ import annotations

import io
from typing import Any

from synthesis.model import JourneyMap
from synthesis.render_pdf import Labels, layout, page_size

# One page this tall holds any map we make (the document is a table of lanes and the
# ranked lists); it is cut to the content before drawing. 5,000 mm stays under the
# 200-inch page limit PDF readers keep to.
TALL_PAGE_MM = 5000
# Pixels per CSS pixel: 1.5 keeps small print readable when zoomed on a screen.
SCALE = 1.5
_PT_PER_CSS_PX = 0.75
_PDF_SCALE = SCALE / _PT_PER_CSS_PX  # pypdfium2 scales from points (1/72 in)


def _content_bottom(page: Any) -> float | None:
    """The bottom of the laid-out content on a WeasyPrint page, in CSS pixels (None
    when the layout does not say, and the whole page is drawn)."""
    box = getattr(page, "_page_box", None)
    children = getattr(box, "children", None)
    if not children:
        return None
    root = children[0]
    return float(root.position_y + root.margin_height())


def render_map_png(journey_map: JourneyMap, labels: Labels | None = None) -> bytes:
    """The whole map as a PNG: as wide as its PDF page, as tall as its content."""
    import pypdfium2
    from PIL import Image

    # As wide as the PDF's landscape page (its long side), and tall.
    paper = page_size(len(journey_map.stages)).split()[0]
    width_mm = {"A4": 297, "A3": 420, "A2": 594}[paper]
    document = layout(journey_map, size=f"{width_mm}mm {TALL_PAGE_MM}mm", labels=labels)
    images = []
    pdf = pypdfium2.PdfDocument(document.write_pdf())
    try:
        for index, laid_out in enumerate(document.pages):
            page = pdf[index]
            bottom = _content_bottom(laid_out)
            spare_px = laid_out.height - bottom - 16 if bottom is not None else 0  # 16: a margin
            crop = (0, max(0.0, spare_px * _PT_PER_CSS_PX), 0, 0)
            images.append(page.render(scale=_PDF_SCALE, crop=crop).to_pil().convert("RGB"))
            page.close()
    finally:
        pdf.close()
    if len(images) == 1:
        image = images[0]
    else:  # taller than the tall page: the pages one under the other
        image = Image.new("RGB", (images[0].width, sum(i.height for i in images)), "white")
        top = 0
        for part in images:
            image.paste(part, (0, top))
            top += part.height
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
