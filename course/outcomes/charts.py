"""The outcome page's charts, drawn on the server as inline SVG (no script, no CDN, printable).

Every chart is a set of horizontal bars under its title, each with its label above it and its
number beside it, so nothing is said by colour alone; ``role="img"`` with a ``<title>`` and a
``<desc>`` that says every number, for a screen reader (the text drawn is not read twice: the
children of an image are presentational). Bars are outlined in ink, so a light fill (the
yellow path) still stands out from the paper by more than 3:1.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

WIDTH = 480
TITLE_HEIGHT = 30  #: the chart's title, drawn as its first line
LABEL_HEIGHT = 20  #: the label line above each bar
BAR_HEIGHT = 20
GAP = 10  #: below each bar
VALUE_ROOM = 110  #: right of the longest bar, for its number
INK = "#15171a"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  #: the number as shown beside the bar
    tone: str = "brand"  #: the fill's name (``TONES``)


TONES = {"brand": "#0b5a8a", "green": "#1e6b35", "yellow": "#f2c200", "red": "#a4161a",
         "grey": "#6b7280"}


def bar_chart(chart_id: str, title: str, bars: list[Bar]) -> Markup:
    """One chart: ``title`` heads it (and names it for a screen reader), a bar per item."""
    row = LABEL_HEIGHT + BAR_HEIGHT + GAP
    height = TITLE_HEIGHT + max(1, len(bars)) * row + 4
    longest = max((bar.value for bar in bars), default=0) or 1
    room = WIDTH - VALUE_ROOM
    desc = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    parts = [Markup('<svg class="chart" id="{id}" viewBox="0 0 {w} {h}" width="{w}" '
                    'height="{h}" role="img" aria-labelledby="{id}-title {id}-desc" '
                    'preserveAspectRatio="xMinYMin meet" font-size="15">'
                    '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
                    '<text x="0" y="18" fill="{ink}" font-weight="700" font-size="16">{title}'
                    '</text>').format(id=chart_id, w=WIDTH, h=height, title=title, desc=desc,
                                     ink=INK)]
    for n, bar in enumerate(bars):
        top = TITLE_HEIGHT + n * row
        width = round(room * bar.value / longest) if bar.value > 0 else 0
        fill = TONES.get(bar.tone, TONES["brand"])
        parts.append(Markup(
            '<g class="chart-row"><text x="0" y="{ly}" fill="{ink}">{label}</text>'
            '<rect x="1" y="{by}" width="{bw}" height="{bh}" fill="{fill}" stroke="{ink}" '
            'stroke-width="1"></rect>'
            '<text x="{tx}" y="{ty}" fill="{ink}" font-weight="700">{text}</text></g>').format(
            ly=top + LABEL_HEIGHT - 5, ink=INK, label=bar.label, by=top + LABEL_HEIGHT,
            bw=max(width, 2), bh=BAR_HEIGHT, fill=fill, tx=max(width, 2) + 8,
            ty=top + LABEL_HEIGHT + BAR_HEIGHT - 5, text=bar.text))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)

