"""Money over time in the app and the workbook: cash against profit, customers and recurring
revenue, receivables and days sales outstanding, and the service band each month and why,
checked against the plan's own targets (``optimizer.analysis.money`` writes them).

The inner loop's scenario is written here, not bundled: the seed company with cash (a
minimum) and a ticket desk at one of two bands that pay differently (one month). The
software company (customers who churn, a phone line at one of three bands) takes longer to
solve and runs in CI.
"""

from __future__ import annotations

import functools
import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import solved

from optimizer.analysis.explain import explain
from optimizer.analysis.solve import solve
from optimizer.app import money
from optimizer.app.analysis import explain_band
from optimizer.app.workbook import MONEY, NUMBER, PERCENT, plan_workbook
from optimizer.scenario import labels
from optimizer.scenario.loading import load_scenario, validate
from optimizer.scenario.schema import ServiceBand

ROOT = Path(__file__).resolve().parent.parent
SOFTWARE = str(ROOT / "scenarios" / "software_company.yaml")
APP = str(ROOT / "app.py")
VIEW = "Money"
CASH = {"opening": 120000, "minimum": 25000, "opening_receivables": [30000], "collection": [1.0]}
DESK = {
    "bands": [
        {"name": "within_the_hour", "service_level": 0.8, "within_hours": 1,
         "collection": [0.8, 0.2]},
        {"name": "best_effort", "collection": [0.5, 0.5]},
    ]
}  # fmt: skip


def seed_data() -> dict:
    return load_scenario(ROOT / "scenarios" / "seed_company.yaml").model_dump(mode="json")


@functools.cache
def money_seed():
    """The seed company with $120,000 in the bank (at least $25,000 at the month end),
    $30,000 of December's invoices paid in January, and a ticket desk that closes most
    tickets within the hour (invoices paid 80 % in the month) or at best effort (50 %)."""
    data = seed_data()
    data["finance"]["cash"] = CASH
    data["support"]["ticket_closure"] = DESK
    scenario = validate(data, "the seed company with cash and a banded ticket desk")
    plan = solve(scenario)
    assert plan.solved, plan.message
    return scenario, plan


@functools.cache
def money_seed_explained():
    scenario, plan = money_seed()
    return scenario, plan, explain(scenario, plan)


def plain_seed():
    """The seed company without cash, recurring revenue or a banded line."""
    data = seed_data()
    data["finance"]["cash"] = None
    data["recurring_revenue"] = None
    data["support"]["ticket_closure"] = None
    return validate(data, "the seed company without money over time")


def by_month(plan, metric: str, role: str) -> list[float]:
    """The plan's values of one metric, month by month."""
    t = plan.targets
    rows = t[(t["metric"] == metric) & (t["role"] == role)]
    assert len(rows), (metric, role)
    return [float(v) for v in rows["value"]]


def months_of(plan) -> list[str]:
    t = plan.targets
    return [labels.month_label(p) for p in t[t["metric"] == "cash"]["period"]]


def band_names(plan, scenario) -> list[str]:
    """The plan's band each month, by the scenario's name for it (the plan holds an index)."""
    key, _, bands = scenario.banded_line()
    return [bands[round(b) - 1].name for b in by_month(plan, "service_band", key)]


def band_words(plan, scenario) -> list[str]:
    """The same, as the page and the workbook show them: 'best effort' for best_effort."""
    return [name.replace("_", " ") for name in band_names(plan, scenario)]


def lowest(plan) -> tuple[str, float]:
    cash = by_month(plan, "cash", "cash")
    i = cash.index(min(cash))
    return months_of(plan)[i], cash[i]


# ---- the frame and the words behind the view ------------------------------------------------


def test_the_money_frame_is_the_plans_money_targets():
    scenario, plan = money_seed()
    frame = money.money_frame(plan, scenario)
    assert money.has_money(plan)
    assert list(frame["month"]) == ["Jan 2027"] and list(frame["period"]) == ["2027-01"]
    for metric in ("invoiced", "collected", "receivables", "days_sales_outstanding", "cash",
                   "minimum_cash"):  # fmt: skip
        assert list(frame[metric]) == pytest.approx(by_month(plan, metric, "cash")), metric
    assert list(frame["profit"]) == pytest.approx(by_month(plan, "profit", "finance"))
    assert list(frame[money.BAND]) == band_names(plan, scenario)
    assert "customers" not in frame.columns  # the seed company sells no subscription
    table = money.month_table(frame)
    assert list(table[""]) == [
        "Invoiced", "Collected", "Receivables", "Days sales outstanding (DSO)",
        "Cash in the bank", "Minimum cash", "Service band",
    ]  # fmt: skip
    cells = dict(zip(table[""], table["Jan 2027"]))
    assert cells["Cash in the bank"] == labels.money(by_month(plan, "cash", "cash")[0])
    assert cells["Minimum cash"] == labels.money(scenario.finance.cash.minimum)
    assert cells["Days sales outstanding (DSO)"].endswith(" days")
    assert cells["Service band"] == band_words(plan, scenario)[0]
    for value in table["Jan 2027"]:  # money with $ and separators, never a raw float
        assert isinstance(value, str) and not re.search(r"\d\.\d{3,}|^\d{4,}", value)


def test_the_plan_tab_shows_the_band_by_name_and_shares_as_percentages():
    from optimizer.app.headline import department_tables

    scenario, plan = money_seed()
    support = department_tables(plan, text=True, scenario=scenario)["support"]
    desk = support[support["role"] == "ticket desk"].set_index("target")
    assert desk.loc["Service band", "2027-01"] == band_words(plan, scenario)[0]
    level = by_month(plan, "service_band_level", "ticket_closure")[0]
    if level == level:  # a band with a service level shows it as a percentage
        assert desk.loc["Service level of the band", "2027-01"] == labels.percent(level)
    else:  # best effort has none: no number is shown for it
        row = desk["2027-01"].get("Service level of the band", "—")
        assert row in ("—", "", None) or row != row
    assert "ticket_closure" not in set(support["role"])


def test_a_plan_without_money_has_no_money_view_or_sheet():
    scenario = plain_seed()
    plan = solve(scenario)
    assert not money.has_money(plan)
    assert money.money_frame(plan, scenario).empty
    assert money.money_notes(plan, scenario) == []
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan, scenario)))
    assert "Money" not in book.sheetnames


def test_the_band_in_words():
    fast = ServiceBand(name="fast", service_level=0.8, answer_within_seconds=30,
                       collection=[0.7, 0.3], churn_per_month=0.01)  # fmt: skip
    hour = ServiceBand(name="within_the_hour", service_level=0.8, within_hours=1)
    loose = ServiceBand(name="best_effort", collection=[0.3, 0.4, 0.3])
    assert money.band_level_words(fast, "phone") == "80 % of calls answered within 30 s"
    assert money.band_level_words(fast, "chat") == "80 % of contacts answered within 30 s"
    assert money.band_level_words(hour, "ticket_closure") == "80 % of tickets closed within 1 hour"
    assert money.band_level_words(loose, "phone") == (
        "no service-level target (only the occupancy cap)"
    )
    assert money.collection_words([0.7, 0.3]) == "70 % in the month, 30 % a month later"
    assert money.collection_words([0.3, 0.4, 0.3]) == (
        "30 % in the month, 40 % a month later, 30 % two months later"
    )
    assert money.collection_words([0.0, 1.0]) == "100 % a month later"


def test_the_takeaways_are_the_plans_numbers():
    scenario, plan = money_seed()
    frame = money.money_frame(plan, scenario)
    month, low = lowest(plan)
    profit = by_month(plan, "profit", "finance")[0]
    owed = by_month(plan, "receivables", "cash")[0]
    cash = scenario.finance.cash  # in the bank, the minimum, December's invoices paid in January
    opening, floor, owed_before = cash.opening, cash.minimum, sum(cash.opening_receivables)
    assert money.cash_takeaway(frame, scenario) == (
        f"Cash is lowest at the end of {month}: {labels.money(low)}, "
        f"{labels.money(low - floor)} above the minimum of {labels.money(floor)}; in Jan 2027, "
        f"profit is {labels.money(profit)} and cash falls {labels.money(opening - low)} (from "
        f"{labels.money(opening)} to {labels.money(low)}) while unpaid invoices grow "
        f"{labels.money(owed - owed_before)}."
    )
    assert money.receivables_takeaway(frame, scenario).startswith(
        f"Unpaid invoices grow from {labels.money(owed_before)} to {labels.money(owed)} at the "
        "end of Jan 2027: "
    )
    assert money.customers_takeaway(frame, scenario) == ""  # no recurring revenue
    assert money.band_reasons(plan, scenario) == (
        [f"The ticket desk runs at service band '{band_words(plan, scenario)[0]}' in Jan 2027."],
        False,
    )


# ---- the workbook ----------------------------------------------------------------------------


def sheet_rows(sheet, header_row: int) -> list[dict]:
    header = [c.value for c in sheet[header_row]]
    out = []
    for row in sheet.iter_rows(min_row=header_row + 1):
        if not row[0].value:
            break
        out.append(dict(zip(header, row)))
    return out


COLUMNS = {
    # the Money sheet's column: (metric, role)
    "Paying customers": ("customers", "customers"),
    "New customers": ("new_customers", "customers"),
    "Customers leaving": ("churned_customers", "customers"),
    "Churn": ("churn_rate", "customers"),
    "Recurring revenue (MRR)": ("recurring_revenue", "customers"),
    "Expansion revenue": ("expansion_revenue", "customers"),
    "Bookings": ("bookings", "customers"),
    "Invoiced": ("invoiced", "cash"),
    "Collected": ("collected", "cash"),
    "Receivables": ("receivables", "cash"),
    "Days sales outstanding (DSO)": ("days_sales_outstanding", "cash"),
    "Cash in the bank": ("cash", "cash"),
    "Minimum cash": ("minimum_cash", "cash"),
}
FORMATS = {"Churn": PERCENT, "Days sales outstanding (DSO)": NUMBER, "Paying customers": NUMBER,
           "New customers": NUMBER, "Customers leaving": NUMBER}  # fmt: skip


def check_money_sheet(book, scenario, plan, columns: list[str]) -> list[str]:
    """The Money sheet holds the plan's numbers month by month, money as currency; returns
    the lines written below the table."""
    sheet = book["Money"]
    header = [c.value for c in sheet[3]]
    assert header == ["month", *columns, "Service band", "identifier"]
    rows = sheet_rows(sheet, 3)
    assert [r["month"].value for r in rows] == months_of(plan)
    assert [r["identifier"].value for r in rows] == [
        p for p in plan.targets[plan.targets["metric"] == "cash"]["period"]
    ]
    for column in columns:
        metric, role = COLUMNS[column]
        assert [r[column].value for r in rows] == pytest.approx(by_month(plan, metric, role))
        assert {r[column].number_format for r in rows} == {FORMATS.get(column, MONEY)}, column
    assert [r["Service band"].value for r in rows] == band_words(plan, scenario)
    return [
        line[0].value
        for line in sheet.iter_rows(min_row=4 + len(rows))
        if isinstance(line[0].value, str)
    ]


def test_the_workbook_money_sheet_holds_the_seed_plans_cash_and_band():
    scenario, plan, why = money_seed_explained()
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan, scenario, None, None, why)))
    assert book.sheetnames == [
        "Summary", "Targets", "Constraints", "Variables", "Inputs", "Money", "Comparison",
        "Explanation",
    ]  # fmt: skip
    below = check_money_sheet(book, scenario, plan, list(COLUMNS)[7:])
    month, low = lowest(plan)
    floor = labels.money(scenario.finance.cash.minimum)
    assert f"Cash is lowest at the end of {month}: {labels.money(low)}, against a minimum of " \
           f"{floor}." in below  # fmt: skip
    assert why.service_band and why.service_band["sentences"]
    assert below[-len(why.service_band["sentences"]) :] == why.service_band["sentences"]
    assert "Why this band: each other band, and one more agent, re-solved" in below
    # the band's re-solves alone (the Money view's button), without the whole explanation
    alone = plan_workbook(plan, scenario, band=explain_band(scenario, plan))
    below = check_money_sheet(openpyxl.load_workbook(io.BytesIO(alone)), scenario, plan,
                              list(COLUMNS)[7:])  # fmt: skip
    assert below[-len(why.service_band["sentences"]) :] == why.service_band["sentences"]
    # without either: the plan's own sentence on the band, no re-solve
    plain = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan, scenario)))
    below = check_money_sheet(plain, scenario, plan, list(COLUMNS)[7:])
    assert below[-1] == money.money_notes(plan, scenario)[-1]
    assert not [line for line in below if line.startswith("Why this band")]


@pytest.mark.slow  # software cases run in CI (conftest.SLOW_SCENARIOS): 4 s here
def test_the_workbook_money_sheet_holds_the_software_plans_months():
    scenario, plan = solved(SOFTWARE)
    book = openpyxl.load_workbook(io.BytesIO(plan_workbook(plan, scenario)))
    below = check_money_sheet(book, scenario, plan, list(COLUMNS))
    credit = sum(by_month(plan, "customer_base_value", "customers"))
    sheet = book["Money"]
    found = [r for r in sheet.iter_rows() if r[0].value == "Customers paying at the end, credited"]
    assert found and found[0][1].value == pytest.approx(credit) and credit > 0
    assert found[0][1].number_format == MONEY
    month, low = lowest(plan)
    assert [line for line in below if line.startswith(
        f"Cash is lowest at the end of {month}: {labels.money(low)}")]  # fmt: skip
    assert len(set(band_names(plan, scenario))) > 1  # the plan changes band over the months


# ---- the page ---------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """The page's scenarios: the seed company with cash and a banded ticket desk (opened
    first, as seed_company.yaml), the same without money, and the software company."""
    pytest.importorskip("streamlit")
    from optimizer.app.scenario_files import to_yaml

    where = tmp_path / "scenarios"
    where.mkdir()
    (where / "seed_company.yaml").write_text(to_yaml(money_seed()[0]))
    (where / "plain.yaml").write_text(to_yaml(plain_seed()))
    (where / "software_company.yaml").write_bytes(Path(SOFTWARE).read_bytes())
    monkeypatch.setenv("KPI_OPTIMIZER_SCENARIOS", str(where))
    return where


def page(section: str | None = VIEW):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=240)
    if section is not None:
        at.session_state["section"] = section
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def traces(chart) -> list[dict]:
    return json.loads(chart.proto.spec)["data"]


def check_cash_chart(at, plan) -> None:
    """The first chart: cash by month with the minimum as a line and the lowest point marked,
    beside profit by month; hover text in money."""
    chart = traces(at.get("plotly_chart")[0])
    by_name = {t["name"]: t for t in chart}
    months = months_of(plan)
    cash = by_name["cash"]
    assert cash["x"] == months and cash["y"] == pytest.approx(by_month(plan, "cash", "cash"))
    assert cash["customdata"] == [labels.money(v) for v in by_month(plan, "cash", "cash")]
    floor = by_name["minimum cash"]
    assert floor["y"] == pytest.approx(by_month(plan, "minimum_cash", "cash"))
    assert floor["line"]["dash"] == "dash"
    month, low = lowest(plan)
    mark = by_name["lowest cash"]
    assert mark["x"] == [month] and mark["y"] == pytest.approx([low])
    assert mark["text"] == [f"lowest: {labels.money(low)}"]
    profit = by_name["profit"]
    assert profit["y"] == pytest.approx(by_month(plan, "profit", "finance"))


def check_band_table(at, plan, scenario) -> pd.DataFrame:
    bands = next(d.value for d in at.dataframe if "band" in d.value.columns)
    assert list(bands["month"]) == months_of(plan)
    assert list(bands["band"]) == band_words(plan, scenario)
    return bands


def test_the_money_view_shows_the_seed_plans_cash_and_band(folder):
    scenario, plan = money_seed()
    at = page()
    assert VIEW in [t.label for t in at.tabs]
    month, low = lowest(plan)
    text = shown(at)
    assert (
        f"**Cash is lowest at the end of {month}: {labels.money(low)}, ".replace("$", r"\$") in text
    )
    owed_before = labels.money(sum(scenario.finance.cash.opening_receivables))
    assert f"Unpaid invoices grow from {owed_before} to ".replace("$", r"\$") in text
    assert "Customers and recurring revenue" not in [s.value for s in at.subheader]
    check_cash_chart(at, plan)
    bands = check_band_table(at, plan, scenario)
    key, _, all_bands = scenario.banded_line()
    chosen = next(b for b in all_bands if b.name == band_names(plan, scenario)[0])
    assert bands["band"][0] == chosen.name.replace("_", " ")  # 'best effort', not best_effort
    assert bands["service level"][0] == money.band_level_words(chosen, key)
    assert bands["invoices paid"][0] == money.collection_words(chosen.collection)
    note = money.money_notes(plan, scenario)[-1]
    assert f"**{note}**" in text  # why, before the explanation: the plan's own sentence
    table = next(d.value for d in at.dataframe if "" in d.value.columns)
    cells = dict(zip(table[""], table["Jan 2027"]))
    assert cells["Cash in the bank"] == labels.money(low)
    assert cells["Service band"] == band_words(plan, scenario)[0]
    for column in table.columns:  # words and formatted numbers, never a raw float
        assert all(isinstance(v, str) for v in table[column])
        assert not any(re.search(r"\d\.\d{4,}", v) for v in table[column])
    # why the band: the explanation's re-solves, on request, in this view
    at.button(key="money_explain_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    story = explain_band(scenario, plan)  # the band's re-solves alone, as the page asks
    assert story["sentences"] == money_seed_explained()[2].service_band["sentences"]
    text = shown(at)
    for sentence in story["sentences"]:
        assert f"- {sentence}".replace("$", r"\$") in text
    assert not [b for b in at.button if b.key == "money_explain_run"]


def test_there_is_no_money_view_without_money(folder):
    at = page(section=None)
    assert VIEW in [t.label for t in at.tabs]  # this seed company has cash
    at.selectbox(key="scenario_file").set_value("plain.yaml").run()
    assert not at.exception, [e.value for e in at.exception]
    assert VIEW not in [t.label for t in at.tabs]


@pytest.mark.slow  # software cases run in CI (conftest.SLOW_SCENARIOS): 6 s here, 30 s loaded
def test_the_money_view_shows_the_software_plans_months(folder):
    scenario, plan = solved(SOFTWARE)
    at = page()
    at.selectbox(key="scenario_file").set_value("software_company.yaml").run()
    assert not at.exception, [e.value for e in at.exception]
    assert VIEW in [t.label for t in at.tabs]
    month, low = lowest(plan)
    text = shown(at)
    assert (
        f"**Cash is lowest at the end of {month}: {labels.money(low)}".replace("$", r"\$") in text
    )
    floor = scenario.finance.cash.minimum
    if floor is not None:
        assert (
            f"{labels.money(low - floor)} above the minimum of {labels.money(floor)}; over the "
            "plan, profit is "
        ).replace("$", r"\$") in text
    customers = by_month(plan, "customers", "customers")
    start = labels.number(scenario.recurring_revenue.opening_customers)
    assert f"**Paying customers grow from {start} to {labels.number(customers[-1])}: " in text
    check_cash_chart(at, plan)
    charts = at.get("plotly_chart")
    assert len(charts) == 3
    people = {t["name"]: t for t in traces(charts[1])}
    new = by_month(plan, "new_customers", "customers")
    assert people["kept"]["y"] == pytest.approx([c - n for c, n in zip(customers, new)])
    assert people["new"]["y"] == pytest.approx(new)
    leaving = by_month(plan, "churned_customers", "customers")
    assert people["leaving"]["y"] == pytest.approx([-v for v in leaving])  # below zero
    mrr = by_month(plan, "recurring_revenue", "customers")
    assert people["recurring revenue (MRR)"]["customdata"] == [labels.money(v) for v in mrr]
    owed = {t["name"]: t for t in traces(charts[2])}
    assert owed["receivables"]["y"] == pytest.approx(by_month(plan, "receivables", "cash"))
    assert owed["days sales outstanding"]["y"] == pytest.approx(
        by_month(plan, "days_sales_outstanding", "cash")
    )
    check_band_table(at, plan, scenario)
    table = next(d.value for d in at.dataframe if "" in d.value.columns)
    rows = table.set_index("")
    assert list(rows.loc["Cash in the bank"]) == [
        labels.money(v) for v in by_month(plan, "cash", "cash")
    ]
    assert list(rows.loc["Service band"]) == band_words(plan, scenario)
    assert list(rows.loc["Churn"]) == [
        labels.percent(v) for v in by_month(plan, "churn_rate", "customers")
    ]
    assert list(rows.loc["Recurring revenue (MRR)"]) == [labels.money(v) for v in mrr]
    credit = sum(by_month(plan, "customer_base_value", "customers"))
    assert any(labels.money(credit).replace("$", r"\$") in c.value for c in at.caption)
    # the headline says what the objective credits beside profit
    paying = [
        m for m in at.metric if m.label == f"Customers paying at the end of {months_of(plan)[-1]}"
    ]
    assert paying and paying[0].value == labels.money(credit)
    assert paying[0].delta == f"{labels.number(customers[-1])} customers"
    profit = sum(by_month(plan, "profit", "finance"))
    assert plan.objective == pytest.approx(profit + credit)  # the objective: both
    # why the band, on request: each other band every month and one more agent, re-solved
    at.button(key="money_explain_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    story = explain_band(scenario, plan)
    chosen = set(band_names(plan, scenario))
    others = [b for b in scenario.banded_line()[2] if chosen != {b.name}]
    assert len(story["sentences"]) == len(others) + 1  # each band not run every month, an agent
    text = shown(at)
    for sentence in story["sentences"]:
        assert f"- {sentence}".replace("$", r"\$") in text
