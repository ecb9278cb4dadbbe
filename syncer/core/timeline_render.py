"""A ``Timeline`` as text (for people) and as an SVG chart (for the pull request, the admin).

The chart is self-contained SVG (no script, no external reference): one bar per bin of minutes
(a minute for a day's window; more for longer ones, so that it stays about 1,440 bars wide),
stacked by group, the eight busiest groups in colour and the rest as "other". Every text in it
comes from the files or the tables and is XML-escaped.
"""

from __future__ import annotations

from collections import Counter
from xml.sax.saxutils import escape

from syncer.core.timeline import Timeline
from syncer.core.words import plural

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7")
OTHER = "#bab0ac"
MAX_BARS = 1440
HEIGHT, LEFT, TOP, BOTTOM = 220, 56, 40, 36


def text(timeline: Timeline) -> str:
    window = timeline.end - timeline.start
    hours = window.total_seconds() / 3600
    lines = [
        f"Timeline {timeline.start:%Y-%m-%d %H:%M} to {timeline.end:%Y-%m-%d %H:%M} UTC "
        f"({hours:g} h), by {timeline.by}: {plural(timeline.total_runs, 'run')}",
    ]
    peaks = timeline.peaks(per_group=1)
    if peaks:
        lines.append(f"Busiest minute of each {timeline.by}:")
        width = max(len(str(p[timeline.by])) for p in peaks)
        for peak in peaks:
            lines.append(
                f"  {peak[timeline.by]!s:<{width}}  {peak['minute'][:16].replace('T', ' ')}"
                f"  {plural(peak['runs'], 'run')}"
            )
    per_hour = timeline.per_hour()
    top = max((runs for _, runs in per_hour), default=0)
    if top:
        lines.append("Runs per hour (UTC):")
        for hour, runs in per_hour:
            bar = "#" * round(40 * runs / top)
            lines.append(f"  {hour:%m-%d %H:%M}  {runs:>8,}  {bar}")
    return "\n".join(lines) + "\n"


def svg(timeline: Timeline, title: str = "", *, fit: bool = False) -> str:
    """``fit``: as wide as its container (scaled with its view box), for a page; otherwise its
    own size in pixels, a bar a pixel wide, for a file."""
    span = int((timeline.end - timeline.start).total_seconds() // 60)
    per_bar = max(1, -(-span // MAX_BARS))
    bars: dict[int, Counter[str]] = {}
    totals: Counter[str] = Counter()
    for index, groups in timeline.minutes.items():
        bars.setdefault(index // per_bar, Counter()).update(groups)
        totals.update(groups)
    shown = [group for group, _ in totals.most_common(len(PALETTE))]
    colour = dict(zip(shown, PALETTE, strict=False))
    count = -(-span // per_bar)
    top = max((sum(c.values()) for c in bars.values()), default=0) or 1
    width = LEFT + count + 20
    size = 'width="100%"' if fit else f'width="{width}" height="{HEIGHT + TOP + BOTTOM}"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" {size}'
        f' viewBox="0 0 {width} {HEIGHT + TOP + BOTTOM}" role="img" font-family="sans-serif"'
        ' font-size="11" shape-rendering="crispEdges">',
        f"<title>{escape(title or _caption(timeline, per_bar))}</title>",
        f'<text x="{LEFT}" y="16" font-size="13">{escape(title or _caption(timeline, per_bar))}'
        "</text>",
        *_axes(timeline, count, per_bar, top),
    ]
    for bar, groups in sorted(bars.items()):
        y = float(TOP + HEIGHT)
        for group, runs in sorted(groups.items(), key=lambda g: (g[0] not in colour, g[0])):
            height = HEIGHT * runs / top
            y -= height
            fill = colour.get(group, OTHER)
            parts.append(
                f'<rect class="bar" x="{LEFT + bar}" y="{y:.2f}" width="1" height="{height:.2f}"'
                f' fill="{fill}"><title>{escape(group)}: {runs}</title></rect>'
            )
    parts.extend(_legend(shown, colour, len(totals) > len(shown), width))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _caption(timeline: Timeline, per_bar: int) -> str:
    unit = "minute" if per_bar == 1 else f"{per_bar} minutes"
    return (
        f"Runs per {unit} by {timeline.by}, {timeline.start:%Y-%m-%d %H:%M} UTC + "
        f"{(timeline.end - timeline.start).total_seconds() / 3600:g} h: "
        f"{plural(timeline.total_runs, 'run')}"
    )


def _axes(timeline: Timeline, count: int, per_bar: int, top: int) -> list[str]:
    base = TOP + HEIGHT
    out = [
        f'<line x1="{LEFT}" y1="{base}" x2="{LEFT + count}" y2="{base}" stroke="#333"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="#333"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end">{top}</text>',
        f'<text x="{LEFT - 4}" y="{base}" text-anchor="end">0</text>',
    ]
    hours = (timeline.end - timeline.start).total_seconds() / 3600
    every = 3 if hours <= 24 else 24
    for hour in range(0, int(hours) + 1, every):
        x = LEFT + hour * 60 / per_bar
        moment = timeline.minute(hour * 60)
        label = f"{moment:%H:%M}" if hours <= 24 else f"{moment:%m-%d}"
        out.append(f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 4}" stroke="#333"/>')
        out.append(f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle">{label}</text>')
    return out


def _legend(shown: list[str], colour: dict[str, str], other: bool, width: int) -> list[str]:
    out = []
    x = LEFT
    y = HEIGHT + TOP + BOTTOM - 6
    for group in [*shown, *(["other"] if other else [])]:
        fill = colour.get(group, OTHER)
        out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{fill}"/>')
        out.append(f'<text x="{x + 14}" y="{y}">{escape(group[:40])}</text>')
        x += 24 + 7 * min(len(group), 40)
        if x > width - 60:
            break
    return out
