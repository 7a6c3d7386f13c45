"""Server-side inline SVG charts for the overview: trend lines and horizontal (stacked) bars,
with Chinese labels, a <title> and <desc> for screen readers, and a <title> on every point or
bar for the mouse. No script, no external file (the staff pages' CSP allows neither)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

WIDTH = 560


GRID = "#e5e6eb"


INK = "#646a73"


PREVIOUS = "#a9aeb8"


PALETTE = ("#1664ff", "#14a37f", "#f7ba1e", "#f53f3f", "#8d4eda", "#86909c")


@dataclass(frozen=True)
class Series:
    """One line: its name, a value per x label (None: no value that day), its colour, and
    whether it is the earlier period's (drawn dashed, in grey)."""

    name: str
    values: Sequence[Optional[float]]
    colour: str = PALETTE[0]
    dashed: bool = False


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def nice_step(value: float, whole: bool) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at least `value` (at least 1; no 2.5 for whole
    numbers below 10), for the step between axis lines."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    steps = (1, 2, 5, 10) if whole and power < 10 else (1, 2, 2.5, 5, 10)
    return max(next(m * power for m in steps if m * power >= value), 1.0 if whole else 0.0)


def _open(chart_id: str, height: int, title: str, desc: str, width: int = WIDTH) -> List[str]:
    """The root element with its accessible name and description."""
    return [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" id={quoteattr(chart_id)} '
            f'xmlns="http://www.w3.org/2000/svg" font-size="12">',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>']


def _text(x: float, y: float, text: str, anchor: str = "start", fill: str = INK,
          size: int = 12) -> str:
    return (f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" fill="{fill}" '
            f'font-size="{size}">{escape(text)}</text>')


def _legend(entries: Sequence[Tuple[str, str, bool]], x: float, y: float) -> List[str]:
    """Line samples with names, left to right from (x, y)."""
    parts = []
    for name, colour, dashed in entries:
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        parts.append(f'<line x1="{_num(x)}" y1="{_num(y - 4)}" x2="{_num(x + 18)}" '
                     f'y2="{_num(y - 4)}" stroke="{colour}" stroke-width="3"{dash}/>')
        parts.append(_text(x + 24, y, name))
        x += 24 + 13 * len(name) + 18
    return parts


def line_chart(chart_id: str, title: str, desc: str, labels: Sequence[str],
               series: Sequence[Series], fmt: Callable[[float], str],
               percent: bool = False, width: int = 360, height: int = 230) -> Markup:
    """A trend: one x label per day, one line per series; `fmt` writes an axis value and a
    point's value; `percent` fixes the axis at 0–100 % (values are shares 0–1), otherwise the
    values are whole numbers and the axis steps are too."""
    left, right, top, bottom = 40, 14, 34, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    known = [v for s in series for v in s.values if v is not None]
    ceiling = 1.0 if percent else 4 * nice_step(max(known, default=0) / 4, whole=True)
    parts = _open(chart_id, height, title, desc, width)
    parts += _legend([(s.name, s.colour, s.dashed) for s in series], left - 30, 16)
    for i in range(5):
        value = ceiling * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}" '
                     f'stroke="{GRID}"/>')
        parts.append(_text(left - 6, y + 4, fmt(value), "end"))
    count = len(labels)

    def x_of(i: int) -> float:
        return left + plot_w / 2 if count == 1 else left + plot_w * i / (count - 1)

    def y_of(v: float) -> float:
        return top + plot_h - plot_h * min(v / ceiling, 1.0)

    step = max(math.ceil(count / 6), 1)
    for i, label in enumerate(labels):
        if (count - 1 - i) % step == 0:
            last = i == count - 1 and count > 1
            parts.append(_text(x_of(i) + (4 if last else 0), height - 10, label,
                               "end" if last else "middle"))
    for s in series:
        runs: List[List[Tuple[float, float]]] = [[]]
        for i, v in enumerate(s.values[:count]):
            if v is None:
                runs.append([])
            else:
                runs[-1].append((x_of(i), y_of(v)))
        dash = ' stroke-dasharray="5 4"' if s.dashed else ""
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{_num(x)},{_num(y)}" for x, y in run)
                parts.append(f'<polyline points="{points}" fill="none" stroke="{s.colour}" '
                             f'stroke-width="2"{dash}/>')
        for i, v in enumerate(s.values[:count]):
            if v is None:
                continue
            tip = f"{labels[i]} {s.name}：{fmt(v)}"
            parts.append(f'<circle cx="{_num(x_of(i))}" cy="{_num(y_of(v))}" '
                         f'r="{2.5 if s.dashed else 3.5}" fill="{s.colour}">'
                         f'<title>{escape(tip)}</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(chart_id: str, title: str, desc: str, rows: Sequence[Tuple[str, float]],
              fmt: Callable[[float], str], colour: str = PALETTE[0]) -> Markup:
    """Horizontal bars, one per labelled value, longest = largest."""
    label_w, value_w, row_h, top = 110, 70, 28, 8
    height = top + row_h * len(rows) + 8
    bar_w = WIDTH - label_w - value_w
    ceiling = max((v for _, v in rows), default=0) or 1
    parts = _open(chart_id, height, title, desc)
    for i, (label, value) in enumerate(rows):
        y = top + row_h * i
        width = bar_w * value / ceiling
        parts.append(_text(label_w - 8, y + 18, label, "end", "#1f2329"))
        parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{_num(max(width, 1))}" '
                     f'height="{row_h - 10}" rx="3" fill="{colour}">'
                     f'<title>{escape(f"{label}：{fmt(value)}")}</title></rect>')
        parts.append(_text(label_w + width + 6, y + 18, fmt(value)))
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bar_chart(chart_id: str, title: str, desc: str,
                      rows: Sequence[Tuple[str, Sequence[float]]],
                      segments: Sequence[Tuple[str, str]],
                      fmt: Callable[[float], str]) -> Markup:
    """Horizontal bars split into named, coloured segments (e.g. outcomes per tier); all bars
    on one scale, each segment's value written inside when it fits."""
    label_w, value_w, row_h, top = 110, 50, 30, 30
    height = top + row_h * len(rows) + 8
    bar_w = WIDTH - label_w - value_w
    ceiling = max((sum(values) for _, values in rows), default=0) or 1
    parts = _open(chart_id, height, title, desc)
    x = float(label_w)
    for name, colour in segments:
        parts.append(f'<rect x="{_num(x)}" y="8" width="12" height="12" rx="2" fill="{colour}"/>')
        parts.append(_text(x + 16, 18, name))
        x += 16 + 13 * len(name) + 14
    for i, (label, values) in enumerate(rows):
        y = top + row_h * i
        parts.append(_text(label_w - 8, y + 19, label, "end", "#1f2329"))
        x = float(label_w)
        for (name, colour), value in zip(segments, values):
            if value <= 0:
                continue
            width = bar_w * value / ceiling
            parts.append(f'<rect x="{_num(x)}" y="{y + 5}" width="{_num(width)}" '
                         f'height="{row_h - 10}" fill="{colour}">'
                         f'<title>{escape(f"{label} · {name}：{fmt(value)}")}</title></rect>')
            if width >= 22:
                parts.append(_text(x + width / 2, y + 19, fmt(value), "middle", "#fff", 11))
            x += width
        parts.append(_text(x + 6, y + 19, fmt(sum(values))))
    parts.append("</svg>")
    return Markup("".join(parts))
