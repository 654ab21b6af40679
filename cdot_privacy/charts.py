"""Server-side charts as inline SVG: no JavaScript, no inline style (CSP), print- and PDF-friendly.

Colours are presentation attributes (allowed by a CSP without 'unsafe-inline'); every bar has a
<title> so hovering or a screen reader gives the exact figure, and the caller shows the same
numbers as a table next to the chart.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Colour-blind-safe palette (Okabe–Ito), dark enough on white for bars and legend swatches.
LEGEND_COLUMNS = 2
LEGEND_CHARS = 44  # fits half the chart width at 11 px; the full name is in the <title>
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#7F7F7F", "#8C6D31"]


def _nice_max(value: int) -> int:
    """A round axis maximum ≥ value: 1, 2, 5 × 10^n."""
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def stacked_bars(
    *,
    title: str,
    labels: list[str],
    series: dict[str, list[int]],
    width: int = 640,
    height: int = 260,
) -> SafeString:
    """Stacked bars, one per label (e.g. month), one colour per series (e.g. request type)."""
    left, right, top, bottom = 44, 8, 12, 28
    legend_rows = (len(series) + LEGEND_COLUMNS - 1) // LEGEND_COLUMNS
    legend_height = 18 * legend_rows + 6
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    y_max = _nice_max(max(totals, default=0))
    slot = plot_w / max(len(labels), 1)
    bar_w = slot * 0.64
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height + legend_height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):  # grid lines and y-axis ticks
        value = y_max * i // 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#999" stroke-opacity="0.35" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="currentColor">{value}</text>'
        )
    for index, label in enumerate(labels):
        x = left + slot * index + (slot - bar_w) / 2
        y = top + plot_h
        for colour, (name, values) in zip(PALETTE * 4, series.items(), strict=False):
            value = values[index]
            if not value:
                continue
            h = plot_h * value / y_max
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(label)} · {escape(name)}: {value}</title></rect>'
            )
        if totals[index]:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                f'font-size="10" fill="currentColor">{totals[index]}</text>'
            )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
            f'font-size="11" fill="currentColor">{escape(label)}</text>'
        )
    for index, (colour, name) in enumerate(zip(PALETTE * 4, series, strict=False)):
        lx = left + (index % LEGEND_COLUMNS) * (plot_w / LEGEND_COLUMNS)
        ly = height + 4 + 18 * (index // LEGEND_COLUMNS)
        short = name if len(name) <= LEGEND_CHARS else name[: LEGEND_CHARS - 1] + "…"
        parts.append(
            f'<rect x="{lx:.1f}" y="{ly}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 17:.1f}" y="{ly + 10}" font-size="11" fill="currentColor">'
            f"<title>{escape(name)}</title>{escape(short)}</text>"
        )
    parts.append("</svg>")
    # Every text part above is escaped; numbers and colours come from this module.
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703
