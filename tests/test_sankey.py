"""The Sankey diagrams' labels: every label of every bundled scenario's two flows, in every
month the page offers, sits in its own box inside the figure, and no two boxes (with the
white outline drawn round the letters) share a point.

The layout before this test put the software company's "inside: 480 conversations with
320 leads" 14.5 px above "Leads without a deal 272" (a 14 px line with its outline), and
regional_sales' teams' labels over its deals' ones.
"""

from __future__ import annotations

import pytest
from conftest import SCENARIOS, solved

from optimizer.app import flows, sankey
from optimizer.app.flows import Flow


def crossing(place: sankey.Layout) -> list[tuple[str, str]]:
    boxes = place.labels
    return [(a.text, b.text) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_no_two_labels_overlap(path):
    scenario, plan = solved(str(path))
    assert plan.solved
    for period in flows.periods(plan):
        for flow in (
            flows.volume_flow(scenario, plan, period),
            flows.money_flow(scenario, plan, period),
        ):
            place = sankey.layout(flow)
            shown = {i for i in range(len(flow.labels)) if i in place.x}
            assert {label.node for label in place.labels} == shown, (period, flow.title)
            assert crossing(place) == [], (period, flow.title)
            for label in place.labels:
                assert 0 <= label.x and label.x + label.width <= place.width, label
                assert sankey.TOP <= label.y and label.y + label.height <= place.height, label


def fan(names: list[str], values: list[float]) -> Flow:
    """One source feeding one node per name: a column of many labels, some long and tiny."""
    f = Flow("fan", "count")
    source = f.node("src", "Everything")
    for name, value in zip(names, values):
        f.link(source, f.node(name, name), value)
    return f


def test_a_crowded_column_grows_the_figure_and_long_labels_wrap():
    names = [f"team {k}: 1,234 conversations with 617 leads" for k in range(12)]
    flow = fan(names, [1000.0] + [1.0] * 11)
    place = sankey.layout(flow, width=600, height=200)
    assert crossing(place) == []
    assert place.height > 200  # twelve labels of two or three lines cannot fit in 200 px
    room = sankey.LABEL_ROOM - sankey.NODE_WIDTH - 2 * sankey.GAP
    for label in place.labels[1:]:
        assert 1 < len(label.lines) <= sankey.MAX_LINES
        assert all(sankey.text_width(line) <= room for line in label.lines)
        assert label.height == sankey.LINE * len(label.lines)
    # the big node keeps its share: a thousand times the height of a small one (but 1 px)
    big = place.h[flow.keys.index("team 0: 1,234 conversations with 617 leads")]
    assert big == pytest.approx(1000 * place.scale)


def test_a_label_too_long_is_cut_and_whole_in_its_tooltip():
    words = "a very long label " * 10
    lines = sankey.wrap(words.strip(), 100)
    assert len(lines) == sankey.MAX_LINES and lines[-1].endswith("…")
    picture = sankey.svg(fan([words.strip()], [5.0]))
    assert f"<title>{words.strip()}</title>" in picture
    assert sankey.wrap("Deals 73", 100) == ("Deals 73",)
    assert sankey.wrap("Supercalifragilistic", 60)[0].endswith("…")
