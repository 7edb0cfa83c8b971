"""A Sankey diagram of a ``Flow`` drawn as plain SVG: no JavaScript, so it shows at once.

Layout: a node's column is its longest path from a source; a source sits just left of
the first node it feeds. A node is as tall as the larger of what flows in and out, on one
scale for the whole figure; nodes stack top-down in each column in the order of where
their sources sit, so that bands cross as little as they can. Links are bands between the stacked ends, coloured by their source.
"""

from __future__ import annotations

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


def svg(flow: Flow, width: int = 1100, height: int = 380) -> str:
    n = len(flow.labels)
    links = list(zip(flow.sources, flow.targets, flow.values))
    if not links:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="40"></svg>'
    inflow, outflow = [0.0] * n, [0.0] * n
    for s, t, v in links:
        outflow[s] += v
        inflow[t] += v
    size = [max(a, b) for a, b in zip(inflow, outflow)]
    col = _columns(flow)
    shown = [i for i in range(n) if size[i] > 0]
    columns = sorted({col[i] for i in shown})
    top = 30
    usable = height - top - 10
    scale = min(
        (usable - PAD * (sum(col[i] == c for i in shown) - 1))
        / sum(size[i] for i in shown if col[i] == c)
        for c in columns
    )
    step = (width - LABEL_ROOM - NODE_WIDTH) / max(1, len(columns) - 1)
    x = {i: columns.index(col[i]) * step for i in shown}
    y: dict[int, float] = {}
    for c in columns:
        cursor = float(top)
        for i in sorted((i for i in shown if col[i] == c), key=lambda i: _fed_from(i, links, y)):
            y[i] = cursor
            cursor += size[i] * scale + PAD
    out_at = dict(y)
    in_at = dict(y)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(flow.title)}" '
        'style="font-family: sans-serif; font-size: 12px">',
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
    for i in shown:
        h = max(1.0, size[i] * scale)
        parts.append(
            f'<rect x="{x[i]:.1f}" y="{y[i]:.1f}" width="{NODE_WIDTH}" height="{h:.1f}" '
            f'fill="{colour(flow.keys[i])}"><title>{escape(flow.labels[i])}</title></rect>'
        )
        parts.append(
            f'<text x="{x[i] + NODE_WIDTH + 4:.1f}" y="{y[i] + h / 2 + 4:.1f}" fill="#1c2833" '
            f'paint-order="stroke" stroke="#ffffff" stroke-width="3">'
            f"{escape(flow.labels[i])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
