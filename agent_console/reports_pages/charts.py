"""Charts as inline SVG, drawn on the server (no JavaScript, no build step): horizontal bars and grouped columns."""

from __future__ import annotations

from markupsafe import Markup, escape

from agent_console.reports_pages.formatting import number
from appeals.reports.model import Chart

PALETTE = ("#2f6db5", "#3aa675", "#d9534f", "#f0ad4e", "#7a5cb8")
WIDTH = 760


def _bar(chart: Chart) -> str:
    values = chart.series[0].values if chart.series else []
    top = max(values, default=0.0) or 1.0
    label_w, row_h, bar_w = 300, 24, WIDTH - 300 - 70
    height = row_h * len(values) + 10
    parts = [f'<svg class="chart" role="img" aria-label="{escape(chart.title)}" viewBox="0 0 {WIDTH} {height}" width="100%">']
    for i, (label, value) in enumerate(zip(chart.labels, values, strict=False)):
        y = 5 + i * row_h
        w = max(1.0, bar_w * value / top)
        short = label if len(label) <= 42 else label[:40] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" font-size="12"><title>{escape(label)}</title>{escape(short)}</text>'
        )
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="{PALETTE[0]}"/>')
        parts.append(
            f'<text x="{label_w + w + 5:.1f}" y="{y + 16}" font-size="12">{escape(number(value, 0 if value.is_integer() else 1))}{escape(chart.unit and " " + chart.unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _columns(chart: Chart) -> str:
    n, series = len(chart.labels), chart.series
    top = max((v for s in series for v in s.values), default=0.0) or 1.0
    left, bottom, plot_h = 40, 40, 200
    group_w = (WIDTH - left - 10) / max(n, 1)
    bar_w = max(1.0, (group_w - 4) / max(len(series), 1))
    step = max(1, n // 12)
    parts = [f'<svg class="chart" role="img" aria-label="{escape(chart.title)}" viewBox="0 0 {WIDTH} {plot_h + bottom + 24}" width="100%">']
    parts.append(f'<line x1="{left}" y1="{plot_h + 5}" x2="{WIDTH - 5}" y2="{plot_h + 5}" stroke="#999"/>')
    parts.append(f'<text x="{left - 4}" y="14" text-anchor="end" font-size="11">{escape(number(top, 0))}</text>')
    for i, label in enumerate(chart.labels):
        x0 = left + i * group_w
        for j, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else 0.0
            h = plot_h * value / top
            parts.append(
                f'<rect x="{x0 + 2 + j * bar_w:.1f}" y="{plot_h + 5 - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(label)}: {escape(s.name)} {escape(number(value, 0))}</title></rect>'
            )
        if i % step == 0:
            parts.append(
                f'<text x="{x0 + group_w / 2:.1f}" y="{plot_h + 20}" text-anchor="middle" font-size="10">{escape(label[:5])}</text>'
            )
    for j, s in enumerate(series):
        x = left + j * 150
        parts.append(
            f'<rect x="{x}" y="{plot_h + bottom}" width="12" height="12" fill="{PALETTE[j % len(PALETTE)]}"/><text x="{x + 16}" y="{plot_h + bottom + 11}" font-size="12">{escape(s.name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_chart(chart: Chart) -> Markup:
    """The chart as safe SVG markup; an empty chart renders as a short note."""
    if not chart.labels or not chart.series:
        return Markup('<p class="muted">Немає даних для графіка.</p>')
    return Markup(_bar(chart) if chart.kind == "bar" else _columns(chart))  # noqa: S704 - every text node above is escaped
