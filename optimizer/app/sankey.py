"""A Sankey diagram of a ``Flow`` drawn as plain SVG: no JavaScript, so it shows at once.

Layout (``layout``, a pure function the tests read): a node's column is its longest path
from a source; a source sits just left of the first node it feeds. A node is as tall as the
larger of what flows in and out, on one scale for the whole figure; nodes stack top-down in
each column in the order of where their sources sit, so that bands cross as little as they
can. Links are bands between the stacked ends, coloured by their source.

Labels never overlap: a label sits right of its node, wrapped to the room before the next
column (at most ``MAX_LINES`` lines, the rest cut with "…" and the whole text in the node's
tooltip), and each node is given a slot at least as tall as its label, centred on it. A
label's box is thus inside its column's strip and its node's slot; the figure grows taller
when its labels need it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from optimizer.app.flows import Flow

PALETTE = (
    # (key prefix, colour): the first match wins
    (("unqualified", "unused", "no_deal"), "#aab7b8"),
    (("ch:", "organic", "leads", "qualified"), "#2e86c1"),
    (("team:", "deals"), "#239b56"),
    (("units",), "#ca6f1e"),
    (("customers", "tickets", "base"), "#7d3c98"),
    (("rev:", "revenue"), "#1f618d"),
    (("loss",), "#c0392b"),
    (("profit", "retained", "target", "rest"), "#1e8449"),
    (("cogs", "payroll", "pay:", "ads", "bills"), "#b9770e"),
)
NODE_WIDTH, PAD, LABEL_ROOM = 12, 10, 190
FONT, LINE = 12, 14
"""Font size and line height, in px."""
GAP, MAX_LINES, TOP, HALO = 4, 3, 30, 1.5
"""Label to node, label to the next column; lines a label may take; room for the title;
the white outline drawn round each letter (half its stroke), which hides what it covers."""


@dataclass(frozen=True)
class Label:
    """A node's label: its lines and the box they fill (top-left corner, width, height)."""

    node: int
    text: str
    lines: tuple[str, ...]
    x: float
    y: float
    width: float
    height: float

    def overlaps(self, other: Label) -> bool:
        """Whether the two boxes, each with its letters' white outline, share a point."""
        return (
            self.x - HALO < other.x + other.width + HALO
            and other.x - HALO < self.x + self.width + HALO
            and self.y - HALO < other.y + other.height + HALO
            and other.y - HALO < self.y + self.height + HALO
        )


@dataclass(frozen=True)
class Layout:
    """Where everything goes: each shown node's x, y and height, the labels, the scale
    (px per unit of flow) and the figure's size."""

    x: dict[int, float]
    y: dict[int, float]
    h: dict[int, float]
    labels: list[Label]
    scale: float
    width: int
    height: int


def colour(key: str) -> str:
    return next((c for prefixes, c in PALETTE if key.startswith(prefixes)), "#5d6d7e")


def _columns(flow: Flow) -> list[int]:
    n = len(flow.labels)
    col = [0] * n
    for _ in range(n):  # longest path from a source; the flow is acyclic
        changed = False
        for s, t in zip(flow.sources, flow.targets):
            if col[t] < col[s] + 1:
                col[t], changed = col[s] + 1, True
        if not changed:
            break
    fed = set(flow.targets)
    for node in range(n):
        outs = [t for s, t in zip(flow.sources, flow.targets) if s == node]
        if node not in fed and outs:
            col[node] = min(col[t] for t in outs) - 1
    return col


def _fed_from(node: int, links: list, y: dict[int, float]) -> float:
    """Where a node's sources sit (weighted mean height): nodes line up with what feeds them."""
    feeds = [(y[s], v) for s, t, v in links if t == node and s in y]
    if not feeds:
        return float("inf")  # a source: below the nodes fed from the left
    return sum(h * v for h, v in feeds) / sum(v for _, v in feeds)


WIDTHS = {
    **dict.fromkeys("ijl.,:;'|!", 0.3),
    **dict.fromkeys("ftr()[]- ", 0.42),
    **dict.fromkeys("mw", 0.98),
    **dict.fromkeys("MW%", 1.0),
    **dict.fromkeys("ABCDEFGHKNOPQRSTUVXYZ", 0.8),
}
"""Widths in em, a little wider than DejaVu Sans and Arial (browsers' sans-serif); any
other character (lower case, digits, $) 0.66 em."""


def text_width(text: str) -> float:
    """A generous estimate of ``text``'s width in px at the labels' font size."""
    return FONT * sum(WIDTHS.get(ch, 0.66) for ch in text)


def wrap(text: str, room: float) -> tuple[str, ...]:
    """``text`` in lines no wider than ``room`` px, broken at spaces; past ``MAX_LINES``
    lines (or a word wider than the room) cut with "…"."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}") <= room:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], lines[MAX_LINES - 1] + "…"]
    return tuple(_cut(line, room) for line in lines)


def _cut(line: str, room: float) -> str:
    """``line``, or as much of it as fits with "…" after it."""
    if text_width(line) <= room:
        return line
    while len(line) > 1 and text_width(line.rstrip("…") + "…") > room:
        line = line.rstrip("…")[:-1]
    return line.rstrip("…") + "…"


def _fits(scale: float, column: list[int], size: list[float], floor: dict[int, float], room):
    return sum(max(size[i] * scale, floor[i]) for i in column) + PAD * (len(column) - 1) <= room


def layout(flow: Flow, width: int = 1100, height: int = 380) -> Layout:
    """Nodes, bands' scale and label boxes of ``flow`` in a ``width`` px wide figure, at
    least ``height`` px tall (taller when the labels need it)."""
    n = len(flow.labels)
    links = list(zip(flow.sources, flow.targets, flow.values))
    inflow, outflow = [0.0] * n, [0.0] * n
    for s, t, v in links:
        outflow[s] += v
        inflow[t] += v
    size = [max(a, b) for a, b in zip(inflow, outflow)]
    col = _columns(flow)
    shown = [i for i in range(n) if size[i] > 0]
    if not shown:
        return Layout({}, {}, {}, [], 0.0, width, 40)
    columns = sorted({col[i] for i in shown})
    members = {c: [i for i in shown if col[i] == c] for c in columns}
    step = (width - LABEL_ROOM - NODE_WIDTH) / max(1, len(columns) - 1)
    x = {i: columns.index(col[i]) * step for i in shown}
    room = {
        i: (step if columns.index(col[i]) < len(columns) - 1 else LABEL_ROOM) - NODE_WIDTH - 2 * GAP
        for i in shown
    }
    lines = {i: wrap(flow.labels[i], room[i]) for i in shown}
    floor = {i: LINE * len(lines[i]) for i in shown}
    usable = height - TOP - 10
    # the largest scale at which every column, each node at least as tall as its label, fits
    scale = min((usable - PAD * (len(m) - 1)) / sum(size[i] for i in m) for m in members.values())
    if not all(_fits(scale, m, size, floor, usable) for m in members.values()):
        low, high = 0.0, scale
        for _ in range(40):
            mid = (low + high) / 2
            fits = all(_fits(mid, m, size, floor, usable) for m in members.values())
            low, high = (mid, high) if fits else (low, mid)
        # labels alone overflow the height: keep the bands readable, let the figure grow
        scale = low if low > scale / 4 else scale / 4
    y: dict[int, float] = {}
    h: dict[int, float] = {}
    boxes: list[Label] = []
    bottom = float(TOP)
    for c in columns:
        cursor = float(TOP)
        for i in sorted(members[c], key=lambda i: _fed_from(i, links, y)):
            h[i] = max(1.0, size[i] * scale)
            slot = max(h[i], floor[i])
            y[i] = cursor + (slot - h[i]) / 2
            middle = cursor + slot / 2
            wide = max(text_width(line) for line in lines[i])
            boxes.append(
                Label(i, flow.labels[i], lines[i], x[i] + NODE_WIDTH + GAP,
                      middle - floor[i] / 2, min(wide, room[i]), floor[i])
            )  # fmt: skip
            cursor += slot + PAD
        bottom = max(bottom, cursor - PAD)
    return Layout(x, y, h, boxes, scale, width, max(height, int(bottom + 10)))


def svg(flow: Flow, width: int = 1100, height: int = 380) -> str:
    links = list(zip(flow.sources, flow.targets, flow.values))
    if not links:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="40"></svg>'
    place = layout(flow, width, height)
    x, y, scale = place.x, place.y, place.scale
    out_at = dict(y)
    in_at = dict(y)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {place.height}" '
        f'width="100%" role="img" aria-label="{escape(flow.title)}" '
        f'style="font-family: sans-serif; font-size: {FONT}px">',
        f'<text x="0" y="16" font-weight="bold" font-size="14">{escape(flow.title)}</text>',
    ]
    for s, t, v in sorted(links, key=lambda link: (y[link[0]], y[link[1]])):
        h = v * scale
        x0, x1 = x[s] + NODE_WIDTH, x[t]
        y0, y1 = out_at[s], in_at[t]
        out_at[s] += h
        in_at[t] += h
        xm = (x0 + x1) / 2
        parts.append(
            f'<path d="M{x0:.1f},{y0:.1f} C{xm:.1f},{y0:.1f} {xm:.1f},{y1:.1f} {x1:.1f},{y1:.1f} '
            f"L{x1:.1f},{y1 + h:.1f} C{xm:.1f},{y1 + h:.1f} {xm:.1f},{y0 + h:.1f} "
            f'{x0:.1f},{y0 + h:.1f} Z" fill="{colour(flow.keys[s])}" fill-opacity="0.28">'
            f"<title>{escape(flow.labels[s])} → {escape(flow.labels[t])}: {v:,.0f}</title></path>"
        )
    for label in place.labels:
        i = label.node
        tip = f"<title>{escape(label.text)}</title>"
        parts.append(
            f'<rect x="{x[i]:.1f}" y="{y[i]:.1f}" width="{NODE_WIDTH}" height="{place.h[i]:.1f}" '
            f'fill="{colour(flow.keys[i])}">{tip}</rect>'
        )
        rows = "".join(
            f'<tspan x="{label.x:.1f}" y="{label.y + (k + 1) * LINE - 3.5:.1f}">{escape(line)}'
            "</tspan>"
            for k, line in enumerate(label.lines)
        )
        parts.append(
            f'<text fill="#1c2833" paint-order="stroke" stroke="#ffffff" stroke-width="3">'
            f"{tip}{rows}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
