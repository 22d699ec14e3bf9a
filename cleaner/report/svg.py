"""Inline SVG bar charts for ``report.html``: no script, no library, nothing fetched."""
from __future__ import annotations

from dataclasses import dataclass

from .render import esc

#: Geometry of a horizontal bar chart (pixels).
ROW_HEIGHT_PX = 24
BAR_HEIGHT_PX = 16
LABEL_WIDTH_PX = 200
BAR_AREA_PX = 300
VALUE_WIDTH_PX = 110
#: Labels longer than this are shortened with an ellipsis (the full label is the bar's tooltip).
MAX_LABEL_CHARS = 34
FONT = "font-family=\"DejaVu Sans,system-ui,sans-serif\" font-size=\"12\""


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (>= 0), its fill colour (``#rrggbb``) and an optional note."""

    label: str
    value: float
    colour: str = "#546e7a"
    note: str = ""


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[:MAX_LABEL_CHARS - 1] + "…"


def _fmt(v: float, unit: str) -> str:
    num = f"{v:,.0f}" if float(v).is_integer() or abs(v) >= 100 else f"{v:,.2f}"
    if v == 1 and len(unit) > 2 and unit.endswith("s"):
        unit = unit[:-1]  # "1 cluster", "1 doc"
    return f"{num} {unit}".strip()


def bar_chart(bars: list[Bar], title: str, unit: str = "") -> str:
    """A horizontal bar chart as an ``<svg>`` element, bars scaled to the largest value.

    ``title`` becomes the accessible name; each bar's full label, value and note are its
    tooltip. Returns a short paragraph instead when there is nothing to draw.
    """
    if not bars:
        return f"<p class=\"muted\">{esc(title)}: nothing to show.</p>"
    top = max(b.value for b in bars) or 1.0
    width = LABEL_WIDTH_PX + BAR_AREA_PX + VALUE_WIDTH_PX
    height = ROW_HEIGHT_PX * len(bars) + 8
    rows = []
    for i, b in enumerate(bars):
        y = 4 + i * ROW_HEIGHT_PX
        w = max(1.0, BAR_AREA_PX * b.value / top) if b.value > 0 else 0.0
        tip = f"{b.label}: {_fmt(b.value, unit)}" + (f" ({b.note})" if b.note else "")
        ty = y + BAR_HEIGHT_PX - 4
        rows.append(
            f"<g class=\"bar\"><title>{esc(tip)}</title>"
            f"<text x=\"{LABEL_WIDTH_PX - 8}\" y=\"{ty}\" text-anchor=\"end\" fill=\"#1d2329\">{esc(_short(b.label))}</text>"
            f"<rect x=\"{LABEL_WIDTH_PX}\" y=\"{y}\" width=\"{w:.1f}\" height=\"{BAR_HEIGHT_PX}\" rx=\"2\" fill=\"{esc(b.colour)}\"/>"
            f"<text x=\"{LABEL_WIDTH_PX + w + 6:.1f}\" y=\"{ty}\" fill=\"#5b6670\">{esc(_fmt(b.value, unit))}</text></g>")
    return (f"<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{esc(title)}\" "
            f"width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" "
            f"style=\"max-width:100%;height:auto\" {FONT}>"
            + "".join(rows) + "</svg>")
