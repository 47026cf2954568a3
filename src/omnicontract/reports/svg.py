"""Inline SVG charts for the HTML report: plain strings, no scripts, no external references.

Every chart is an ``<svg role="img">`` with a ``<title>`` and an ``aria-label`` that says in
words what it shows, and prints its figures as text next to the marks, so nothing is told
by colour alone. Text is escaped here; callers pass plain values.
"""

from __future__ import annotations

import math
from html import escape

GOOD, FAIR, POOR = 99.0, 90.0, 0.0
BAND_COLOR = {"good": "#2e7d32", "fair": "#a15c00", "poor": "#c62828", "blocked": "#a15c00"}


def band(score: float | None) -> str:
    """Readiness band, the same thresholds as the console's colours."""
    if score is None:
        return "none"
    return "good" if score >= GOOD else "fair" if score >= FAIR else "poor"


_band_of = band


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def bar(
    score: float | None,
    *,
    label: str,
    width: int = 240,
    height: int = 14,
    band: str | None = None,
) -> str:
    """A 0-100 horizontal bar; the number itself is printed beside it by the caller.
    ``band`` colours it (default: the score's band)."""
    title = f"{label}: readiness {'not measured' if score is None else f'{score:.1f} of 100'}"
    filled = 0.0 if score is None else max(0.0, min(100.0, score)) / 100 * width
    color = BAND_COLOR.get(band or _band_of(score), "#9aa1a9")
    return (
        f'<svg class="bar" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<rect width="{width}" height="{height}" rx="3" fill="#e4e7eb"/>'
        f'<rect width="{_f(filled)}" height="{height}" rx="3" fill="{color}"/>'
        f"</svg>"
    )


def value_range(values: list[float]) -> tuple[float, float]:
    """A y range that shows change: from a round number under the lowest value up to 100."""
    lo = min(values, default=0.0)
    lo = max(0.0, math.floor((lo - 1) / 5) * 5)
    return (min(lo, 95.0), 100.0)


def _ticks(lo: float, hi: float) -> list[float]:
    span = hi - lo
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50) if span / s <= 5)
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) // step) + 1)]


def _labelled(labels: list[str], plot_w: float) -> list[int]:
    """The runs labelled under a chart: every one, or every k-th where they would overlap
    (the first and the last always)."""
    n = len(labels)
    if n <= 1:
        return list(range(n))
    widest = max(len(t) for t in labels) * 6 + 6  # about 6 px a character at 10 px
    step = max(1, math.ceil(widest / (plot_w / (n - 1))))
    shown = [i for i in range(0, n - 1, step) if n - 1 - i >= step or i == 0]
    return [*shown, n - 1]


def line_chart(
    values: list[float | None],
    labels: list[str],
    *,
    title: str,
    lo: float,
    hi: float,
    width: int = 320,
    height: int = 140,
) -> str:
    """Readiness over runs, oldest left. ``None`` leaves a gap (the channel was not in that run)."""
    pad_l, pad_r, pad_t, pad_b = 34, 40, 10, 22
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    n = len(values)

    def x(i: int) -> float:
        return pad_l + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        v = max(lo, min(hi, v))
        return pad_t + plot_h * (1 - (v - lo) / (hi - lo or 1))

    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if known:
        (i0, v0), (i1, v1) = known[0], known[-1]
        summary = (
            f"{title}: readiness {v0:.1f} on {labels[i0]}, {v1:.1f} on {labels[i1]}, "
            f"over {len(known)} runs"
        )
    else:
        summary = f"{title}: no readiness recorded"
    parts = [
        f'<svg class="line" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(summary)}"><title>{escape(summary)}</title>'
    ]
    for t in _ticks(lo, hi):
        ty = _f(y(t))
        parts.append(
            f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{ty}" y2="{ty}" class="grid"/>'
            f'<text x="{pad_l - 4}" y="{ty}" class="tick" text-anchor="end" '
            f'dominant-baseline="middle">{_f(t)}</text>'
        )
    for i in _labelled(labels, plot_w):
        parts.append(
            f'<text x="{_f(x(i))}" y="{height - 6}" class="tick run" '
            f'text-anchor="middle">{escape(labels[i])}</text>'
        )
    segment: list[str] = []
    for i, v in [*enumerate(values), (n, None)]:
        if v is None:
            if len(segment) > 1:
                parts.append(f'<polyline points="{" ".join(segment)}" class="series"/>')
            segment = []
        else:
            segment.append(f"{_f(x(i))},{_f(y(v))}")
    for i, v in known:
        parts.append(
            f'<circle cx="{_f(x(i))}" cy="{_f(y(v))}" r="3" class="point">'
            f"<title>{escape(labels[i])}: {v:.1f}</title></circle>"
        )
    if known:
        i1, v1 = known[-1]
        parts.append(
            f'<text x="{_f(x(i1) + 6)}" y="{_f(y(v1))}" class="last" '
            f'dominant-baseline="middle">{v1:.1f}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
