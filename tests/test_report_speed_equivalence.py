"""The column-wise report code gives what the plain row-by-row definitions give.

Each fast path in the report, check, targets, names and YAML loading is compared with
the obvious slow version of the same thing, written out here. Values only, no timings.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, SCENARIOS, solved

from optimizer.analysis import check, targets
from optimizer.analysis import records as json_records
from optimizer.model.chain import build_model
from optimizer.model.linear import Axis, RowBlock, _names
from optimizer.report import payload, sentences
from optimizer.scenario import loading
from optimizer.scenario.loading import ScenarioError, load_scenario, parse_yaml
from optimizer.solvers import highs

SEED = str(ROOT / "scenarios" / "seed_company.yaml")


def slow_records(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: json_records._clean(v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def slow_sentences(frame: pd.DataFrame, name: str, unit: str) -> list[str]:
    return [sentences.sentence(row, name, unit) for _, row in frame.iterrows()]


def test_records_and_sentences_of_every_bundled_plan(bundled):
    _, plan = bundled
    for frame in (plan.targets, plan.constraints, plan.parameters, plan.variables):
        assert json.dumps(json_records._records(frame)) == json.dumps(slow_records(frame))
    fast = sentences.sentences(plan.constraints, plan.objective_name, plan.objective_unit)
    assert fast == slow_sentences(plan.constraints, plan.objective_name, plan.objective_unit)
    records = payload.to_json(plan)["constraints"]
    assert [r["sentence"] for r in records] == fast
    assert list(records[0]) == [*plan.constraints.columns, "sentence"]


def test_records_of_unusual_columns():
    frame = pd.DataFrame(
        {
            "x": [1.0, np.nan, np.inf, -0.0],
            "flag": [True, False, True, False],
            "text": ["a", None, "c", "d"],
            "mixed": np.array(["a", None, 1.5, np.nan], dtype=object),
            "count": [1, 2, 3, 4],
            "nullable": pd.array([1, None, 3, 4], dtype="Int64"),
            "when": pd.date_range("2027-01-01", periods=4),
            "na_text": pd.array(["a", None, "c", None], dtype="string"),
        }
    )
    for columns in (["x", "flag", "text", "mixed", "count", "na_text"], list(frame.columns), []):
        part = frame[columns]
        assert repr(json_records._records(part)) == repr(slow_records(part))


def test_sentences_for_every_case():
    values = [0.0, 1.5, -2.25, 1e-10, 0.4, 1234567.891, np.nan, np.inf, -np.inf, 5e-7]
    rows = [
        dict(
            kind=kind,
            binding=binding,
            binds_in_whole_people=stepped,
            activity=a,
            limit=b,
            shadow_price=price,
            whole_step_value=whole,
            allowable_increase=room,
            step_limit=b - 1,
            description="A limit.",
            unit=unit,
        )
        for kind, binding, stepped, unit in itertools.product(
            ["limit", "goal", "definition"], [True, False], [True, False], ["people", "$/month"]
        )
        for a, b, price, whole, room in zip(
            values,
            values[3:] + values[:3],
            values[::-1],
            values[5:] + values[:5],
            values[2:] + values[:2],
        )
    ]
    frame = pd.DataFrame(rows)
    for name, unit in (("max_profit", "$"), ("min_cost", "$"), ("closest_to_current", "share")):
        assert sentences.sentences(frame, name, unit) == slow_sentences(frame, name, unit)
        few = frame.drop(columns=["binds_in_whole_people", "whole_step_value"])
        assert sentences.sentences(few, name, unit) == slow_sentences(few, name, unit)
        gaps = frame.assign(description=[None if i % 7 == 0 else "A." for i in range(len(rows))])
        assert sentences.sentences(gaps, name, unit) == slow_sentences(gaps, name, unit)
    assert sentences.sentences(frame.iloc[:0], "max_profit", "$") == []


def slow_names(prefix: str, axes: tuple[Axis, ...]) -> list[str]:
    if not axes:
        return [prefix]
    return [f"{prefix}[{','.join(c)}]" for c in itertools.product(*(a.labels for a in axes))]


def slow_parameters(block: RowBlock) -> list:
    if block.parameter is None or isinstance(block.parameter, list):
        return [None] * block.size if block.parameter is None else list(block.parameter)
    names = [a.name for a in block.axes]
    combos = itertools.product(*(a.labels for a in block.axes))
    return [block.parameter.format(**dict(zip(names, c))) for c in combos]


@pytest.mark.parametrize("count", [0, 1, 2, 3])
def test_names_and_parameter_paths(count):
    axes = tuple(
        Axis(name, labels)
        for name, labels in [
            ("month", ("2027-01", "2027-02")),
            ("team", ("north", "key")),
            ("tier", ("20min", "40min", "60min")),
        ][:count]
    )
    assert _names("sales-x", axes) == slow_names("sales-x", axes)
    for template in ["sales.teams[{team}].reps.max", "a.{month}.{tier!r}", "{team}{team:>6}", "p"]:
        if all(
            f in [a.name for a in axes] for f in ("team", "month", "tier") if "{" + f in template
        ):
            block = RowBlock("f", "d", "text", "<=", "limit", "u", 0, axes, template)
            assert block.parameters() == slow_parameters(block)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_constraint_table_words_match_the_names(path):
    scenario, plan = solved(str(path))
    c = plan.constraints
    model, _ = build_model(scenario, plan.objective_name)
    assert c["name"].tolist() == model.row_names()
    inside = c["name"].str.split("[", n=1).str[1].str.rstrip("]").str.split(",").str[0]
    months = c["name"].str.contains(r"\[\d{4}-\d\d")
    assert (c["period"][months] == inside[months]).all()
    assert (c["period"][~months] == "horizon").all()
    expected = [p for b in model.row_blocks.values() for p in slow_parameters(b)]
    assert [None if v is None or v != v else v for v in c["parameter"]] == expected


def quantities(scenario):
    model, v = build_model(scenario)
    out = highs.solve(model.arrays())
    return {name: out.x[idx].copy() for name, idx in v.index.items()}, v.months


def test_check_names_each_team_in_team_order():
    scenario = load_scenario(str(ROOT / "scenarios" / "regional_sales.yaml"))
    clean, _ = quantities(scenario)
    teams = [t.name for t in scenario.sales.teams]
    q = {k: v.copy() for k, v in clean.items()}
    q["reps"][0, 2] = scenario.sales.teams[2].reps.max + 3
    q["conversations"][0, 0, :] *= 3
    result = check.verify(scenario, q)
    assert result.violations[:3] == (
        f"sales-selling_time[{teams[0]}]",
        f"sales-deal_total[{teams[0]}]",
        f"sales-reps_max[{teams[2]}]",
    )
    q = {k: v.copy() for k, v in clean.items()}
    q["reps"][-1, :] = [t.reps.max + 1 for t in scenario.sales.teams]
    q["reps"][0, :] = [t.reps.min - 1 for t in scenario.sales.teams]
    names = [n for n in check.verify(scenario, q).violations if n.startswith("sales-reps_")]
    assert names == [f"sales-reps_{side}[{team}]" for team in teams for side in ("max", "min")]
    assert check.verify(scenario, clean).checked == check.verify(scenario, q).checked


def test_sales_targets_are_the_per_team_formulas():
    scenario = load_scenario(str(ROOT / "scenarios" / "regional_sales.yaml"))
    q, months = quantities(scenario)
    t = targets.derive(scenario, q, months)
    sales = t[t["department"] == "sales"]
    minutes = np.array([tier.minutes for tier in scenario.sales.conversation_tiers])
    days = scenario.calendar.business_days_per_month
    per_team = sales.groupby("role", sort=False)
    assert list(per_team.groups) == [team.name for team in scenario.sales.teams]
    for s, team in enumerate(scenario.sales.teams):
        rows = sales[sales["role"] == team.name]
        assert rows.index.tolist() == list(range(rows.index[0], rows.index[0] + len(rows)))
        conv = q["conversations"][:, s, :]
        total = conv.sum(axis=1)
        got = rows[rows["metric"] == "minutes_per_conversation"]["value"].to_numpy()
        want = np.where(total > 1e-12, (conv @ minutes) / np.where(total > 1e-12, total, 1), 0)
        assert got.tolist() == want.tolist()
        got = rows[rows["metric"] == "calls_per_rep_per_day"]["value"].to_numpy()
        reps = q["reps"][:, s] * days
        assert (
            got.tolist() == np.where(reps > 1e-12, total / np.where(reps > 0, reps, 1), 0).tolist()
        )
        assert rows["period"].tolist()[: len(months)] == months


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_the_fast_yaml_loader_reads_what_pyyaml_reads(path):
    text = path.read_text(encoding="utf-8")
    assert not loading._pyyaml_only(text)
    slow = yaml.load(text, Loader=loading._UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    assert repr(parse_yaml(text, str(path))) == repr(slow)


@pytest.mark.parametrize(
    "text",
    [
        "a: {leads_per_?month: 300}\n",  # libyaml reads a '?' in a flow mapping
        "a: 1\nqualified_le\td_share: 0.45\n",  # ... and a tab inside a key
        "a: |#\n  x\n",  # ... and a comment right after '|'
        "a: [!, 5]\n",  # ... and an empty tag
        "a: 1\n\ufeffb: 2\n",  # ... and a byte-order mark past the start
        "a: 1\nb: 2\na: 3\n",
        "a: [1, 2\n",
        "a: !!python/object/apply:os.system [echo]\n",
    ],
)
def test_a_text_libyaml_reads_otherwise_gets_pyyaml_s_answer(text):
    try:
        want = ("ok", repr(yaml.load(text, Loader=loading._UniqueKeyLoader)))  # noqa: S506
    except yaml.YAMLError as exc:
        want = ("error", str(exc))
    try:
        got = ("ok", repr(loading._load_yaml(text)))
    except yaml.YAMLError as exc:
        got = ("error", str(exc))
    assert got == want


def test_yaml_numbers_duplicates_and_tags_behave_as_before(tmp_path):
    assert parse_yaml("a: 1e6\nb: 2027-01\n# why?\n", "x") == {"a": 1e6, "b": "2027-01"}
    path = tmp_path / "twice.yaml"
    path.write_text("name: x\nname: y\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert "line 2, column 1" in str(err.value) and "appears twice" in str(err.value)
    assert math.isinf(parse_yaml("a: .inf\n", "x")["a"])
