"""kpi-optimizer for leaders: open a scenario, see the plan and its limits, try what-ifs.

    streamlit run app.py

Layout and widgets only. Every number comes from the ``optimizer`` package (the modules
in ``optimizer/app/`` turn its results into tables, figures and files). Solves are
cached on the scenario's JSON and the objective and run in a child process, so a native
crash or a hang is a message on the page, not a dead server (``optimizer.app.guard``);
every widget has a stable key.
"""

from __future__ import annotations

import hashlib
import logging
import os
from importlib.machinery import ModuleSpec
from pathlib import Path

import streamlit as st

from optimizer.analysis.compare import stated_targets
from optimizer.analysis.whynot.forced import objective_of
from optimizer.app import (
    analysis,
    answer,
    charts,
    downloads,
    editing,
    flows,
    guard,
    headline,
    limits,
    moves,
    people,
    sankey,
    sensitivity,
    teams,
    today,
    variables,
)
from optimizer.app import diagnosis as diagnosis_tables
from optimizer.app import funnel as funnel_view
from optimizer.app import money as money_view
from optimizer.app import risk as odds_view
from optimizer.app import tradeoff as tradeoff_view
from optimizer.app import versions as versions_view
from optimizer.app.analysis import held_model, plan_at
from optimizer.app.scenario_files import (
    SaveError,
    file_stem,
    free_name,
    read_upload,
    save_new,
    scenario_files,
    to_yaml,
    unreadable,
)
from optimizer.app.workbook import plan_workbook
from optimizer.model.chain.objectives import NoCurrentTargets
from optimizer.report import explanation
from optimizer.report.diagnosis import repair_sentence
from optimizer.report.sentences import money
from optimizer.scenario import labels
from optimizer.scenario.loading import (
    MAX_SCENARIO_BYTES,
    ScenarioError,
    load_scenario,
    read_scenario_file,
)
from optimizer.scenario.names import OBJECTIVES, Objective
from optimizer.scenario.schema import Scenario
from optimizer.scenario.variants import BASE, load_variant

# The solves run in children of a forkserver (optimizer.app.guard). multiprocessing runs
# its caller's main module again in each child unless that module's spec says __main__,
# and under Streamlit the main module is this page: each solve would run the page again
# (half a second, and a failed page run in the log). This spec leaves the children alone.
__spec__ = ModuleSpec("__main__", None)
ROOT = Path(__file__).resolve().parent
SCENARIOS = Path(os.environ.get("KPI_OPTIMIZER_SCENARIOS", ROOT / "scenarios"))
DEFAULT_FILE = "seed_company.yaml"
OBJECTIVE_WORDS = {o.value: o.label for o in Objective}
SCENARIO_WIDGETS = (
    "in:",
    "table:",
    "whatif_",
    "sweep_",
    "save_name",
    "chain_period",
    "months_",
    "funnel_",
    "whynot_",
    "odds_",
)
CONTROL_WORDS = {  # where a refused scenario's problems are listed, beside what refused it
    "file": "beside the scenario list in the sidebar",
    "variant": "beside the variant list in the sidebar",
    "upload": "beside the uploader in the sidebar",
    "paste": "beside the pasted YAML in the sidebar",
}
MAX_PANELS = 8  # small multiples drawn at once; a larger company picks its roles and teams
log = logging.getLogger("kpi-optimizer.app")


# Pixels a table may take: the tab's width at 1280 px with the sidebar open (818), less the
# grid's border and scroll bar; leader tables are given column widths that sum to it. (A
# comment, not a string: Streamlit's magic would print a bare string on the page.)
FITS = 790

# The page's header is one line, the answer and one row of cards: the tabs start within
# the first screen at 1280 x 800. (Streamlit's own top padding is 6rem.)
COMPACT = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; padding-bottom: 3rem; }
[data-testid="stMetric"] { padding: 0.3rem 0.7rem !important; min-height: 0 !important; }
[data-testid="stMetricValue"] { font-size: 1.5rem !important; }
[data-testid="stMetricLabel"] p { font-size: 0.85rem !important; }
[data-testid="stMetricDelta"] div { white-space: normal !important; }
</style>"""


def fitted(**widths: int) -> dict:
    """Text columns of these pixel widths (at most ``FITS`` in all): no sideways scrolling;
    a longer cell is cut with an ellipsis and shown whole on hover."""
    assert sum(widths.values()) <= FITS, widths
    return {name: st.column_config.TextColumn(name, width=w) for name, w in widths.items()}


def md(text: str) -> str:
    """Markdown-safe text: a pair of $ would otherwise render as mathematics."""
    return str(text).replace("$", r"\$")


# ---- cached work: keyed on the scenario's JSON and the objective ------------------------
# The plan and the comparison are solved in a child process (guard.attempt): a crash or a
# hang is remembered like an answer, so a rerun shows it again without solving again.


@st.cache_data(max_entries=16, show_spinner="Solving the plan…")
def attempted(scenario_json: str, objective: str):
    """(analysis, None), or (None, the guard.Failure: the solver crashed or hung)."""
    scenario = Scenario.model_validate_json(scenario_json)
    return guard.attempt(analysis.analyse, scenario, objective)


def analysed(scenario_json: str, objective: str):
    """The analysis the page shows; only called where ``attempted`` gave one."""
    return attempted(scenario_json, objective)[0]


@st.cache_resource(max_entries=8, show_spinner=False)
def held(scenario_json: str, objective: str, hold_people: bool = False):
    """The scenario's model held in HiGHS: what-ifs re-solve it with only the moved numbers."""
    return held_model(Scenario.model_validate_json(scenario_json), objective, hold_people)


@st.cache_data(max_entries=1024, show_spinner=False)
def solved_at(scenario_json: str, objective: str, path: str, value: float, hold_people=False):
    """(plan, "") with one input moved, or (None, the problems) if the value is invalid."""
    try:
        return plan_at(held(scenario_json, objective, hold_people), path, value), ""
    except ScenarioError as err:
        return None, "; ".join(str(p) for p in err.problems)


@st.cache_data(max_entries=16, show_spinner="Comparing with today's targets…")
def compared(scenario_json: str, objective: str):
    """(comparison, "") or (None, why there is none: a sentence, or a guard.Failure)."""
    scenario = Scenario.model_validate_json(scenario_json)
    answer, failure = guard.attempt(analysis.compare_today, scenario, objective)
    return answer if failure is None else (None, failure)


@st.cache_data(max_entries=16, show_spinner="Searching for what would make today's targets right…")
def made_right(scenario_json: str):
    """(what would make today's targets right, None), or (None, the guard.Failure), in a
    child; under the scenario's own objective, as the command line's ``compare --why``."""
    return guard.attempt(analysis.make_right, Scenario.model_validate_json(scenario_json))


def right_requested() -> bool:
    return st.session_state.get("right_for") == token()


@st.cache_data(max_entries=64, show_spinner="Forcing the option and solving again…")
def asked_why_not(scenario_json: str, asked: tuple[str, ...]):
    """(why not the option, None), or (None, the guard.Failure), in a child; ``ValueError``
    or ``KeyError`` for an option the plan cannot read (raised again here)."""
    scenario = Scenario.model_validate_json(scenario_json)
    return guard.attempt(analysis.ask_why_not, scenario, list(asked))


@st.cache_data(max_entries=16, show_spinner="Moving each price and solving again…")
def ranged(scenario_json: str, objective: str):
    """(how far each price can move, None), or (None, the guard.Failure), in a child."""
    scenario = Scenario.model_validate_json(scenario_json)
    return guard.attempt(analysis.price_ranges, scenario, objective)


@st.cache_data(max_entries=16, show_spinner="Solving the plan again along the curve…")
def traded(scenario_json: str, objective: str, axis: str):
    """(the trade-off curve against ``axis``, None), or (None, the guard.Failure), in a child."""
    scenario = Scenario.model_validate_json(scenario_json)
    return guard.attempt(tradeoff_view.compute, scenario, axis, objective)


def tradeoff_requested() -> str | None:
    """The axis whose curve the page has computed for this scenario and objective, or None."""
    found = st.session_state.get("tradeoff_for")
    return found[2] if found and found[:2] == (token(), st.session_state["objective"]) else None


@st.cache_data(
    max_entries=8, show_spinner="Drawing the inputs and solving the plan again for each draw…"
)
def drawn_odds(scenario_json: str, draws: int, seed: int):
    """(the plan's odds, None), or (None, the guard.Failure), in a child (``optimizer.app.risk``)."""
    scenario = Scenario.model_validate_json(scenario_json)
    return guard.attempt(odds_view.compute, scenario, draws, seed)


def odds_requested() -> tuple[int, int] | None:
    """(draws, seed) of the odds the page has computed for this scenario, or None."""
    found = st.session_state.get("odds_for")
    return found[1:] if found and found[0] == token() else None


@st.cache_data(
    max_entries=8, show_spinner="Choosing people for their odds: one model over every draw…"
)
def chosen_for_odds(scenario_json: str, seed: int, objective: str, draws: int, fresh: int):
    """(the people chosen for their odds beside the plan's, None), or (None, the
    guard.Failure), in a child (``optimizer.app.risk.compute_choice``)."""
    scenario = Scenario.model_validate_json(scenario_json)
    return guard.attempt(odds_view.compute_choice, scenario, objective, draws, fresh, seed)


def choice_requested() -> tuple[int, str, int, int] | None:
    """(seed, objective, choosing draws, fresh draws) of the choice the page has computed
    beside the odds it shows for this scenario, or None."""
    found = st.session_state.get("odds_choice_for")
    return found[2:] if found and found[:3] == st.session_state.get("odds_for") else None


@st.cache_data(max_entries=16, show_spinner="Valuing each input's natural step…")
def explained(scenario_json: str, objective: str):
    """(explanation, None), or (None, the guard.Failure): what moves the plan, in a child."""
    a = analysed(scenario_json, objective)
    return guard.attempt(analysis.explain_plan, a.scenario, a.plan, objective)


def explanation_requested() -> bool:
    return st.session_state.get("explain_for") == (token(), st.session_state["objective"])


@st.cache_data(max_entries=16, show_spinner="Re-solving the plan at each service band…")
def band_explained(scenario_json: str, objective: str):
    """(the band story or None, None), or (None, the guard.Failure): why the band, in a child."""
    a = analysed(scenario_json, objective)
    return guard.attempt(analysis.explain_band, a.scenario, a.plan, objective)


def band_requested() -> bool:
    return st.session_state.get("band_for") == (token(), st.session_state["objective"])


@st.cache_data(max_entries=16, show_spinner=False)
def plan_files(scenario_json: str, objective: str) -> dict[str, bytes]:
    a = analysed(scenario_json, objective)
    return {
        "targets.csv": downloads.targets_csv(a.plan),
        "limits.csv": downloads.constraints_csv(a.plan),
        "plan.json": downloads.plan_json(a.plan, a.diagnosis),
    }


@st.cache_data(max_entries=16, show_spinner="Writing the workbook…")
def workbook_file(
    scenario_json: str,
    objective: str,
    with_explanation: bool = False,
    with_band: bool = False,
    with_right: bool = False,
    tradeoff_axis: str | None = None,
    odds_asked: tuple[int, int] | None = None,
    choice_asked: tuple[int, str, int, int] | None = None,
) -> bytes:
    a = analysed(scenario_json, objective)
    comparison, _ = compared(scenario_json, objective)
    why = explained(scenario_json, objective)[0] if with_explanation else None
    band = band_explained(scenario_json, objective)[0] if with_band else None
    right = made_right(scenario_json)[0] if with_right else None
    curve = traded(scenario_json, objective, tradeoff_axis)[0] if tradeoff_axis else None
    odds = drawn_odds(scenario_json, *odds_asked)[0] if odds_asked else None
    chosen = chosen_for_odds(scenario_json, *choice_asked)[0] if odds and choice_asked else None
    return plan_workbook(
        a.plan, a.scenario, comparison, a.diagnosis, why, band, right, curve, odds=odds,
        chosen=chosen,
    )  # fmt: skip


@st.cache_data(max_entries=16, show_spinner=False)
def over_time(scenario_json: str, objective: str):
    """(people by role and month, deals by team and month): empty without a flow or a cycle."""
    a = analysed(scenario_json, objective)
    return people.people_frame(a.plan), people.pipeline_frame(a.plan, a.scenario)


@st.cache_data(max_entries=16, show_spinner=False)
def money_over_time(scenario_json: str, objective: str):
    """Cash, customers, receivables and the service band by month: empty without them."""
    a = analysed(scenario_json, objective)
    return money_view.money_frame(a.plan, a.scenario)


# ---- the scenario on the page -----------------------------------------------------------


def current() -> Scenario:
    return Scenario.model_validate_json(st.session_state["scenario_json"])


def token() -> str:
    return hashlib.sha1(st.session_state["scenario_json"].encode()).hexdigest()[:12]


def use(scenario: Scenario, label: str, keep_objective: bool = False) -> None:
    """Put ``scenario`` on the page and reset the widgets that showed the previous one."""
    st.session_state["scenario_json"] = scenario.model_dump_json()
    st.session_state["scenario_label"] = label
    if not keep_objective or "objective" not in st.session_state:
        st.session_state["objective"] = scenario.objective
    for key in list(st.session_state):
        if isinstance(key, str) and key.startswith(SCENARIO_WIDGETS):
            del st.session_state[key]
    for key in ("input_problems", "load_problems", "not_loaded", "load_control"):
        st.session_state.pop(key, None)


def problems(err: ScenarioError) -> list[str]:
    return [f"{err.source}: {p}" for p in err.problems]


def notify(kind: str, text: str) -> None:
    st.session_state["notice"] = (kind, text)


def load_with(read, source: str, label: str, control: str) -> bool:
    """Put ``read()``'s scenario on the page; or list why not, whatever ``read`` raised.

    A refused file keeps the page's scenario (nothing is lost) but hides its plan, which is
    not the refused file's answer; the problems show beside ``control`` (``CONTROL_WORDS``).
    """
    try:
        scenario = read()
    except ScenarioError as err:
        lines = problems(err)
    except Exception as err:  # noqa: BLE001 - RecursionError, MemoryError, anything at all
        log.exception("loading %s failed", source[:80])
        lines = [f"{source}: {unreadable(err)}"]
    else:
        use(scenario, label)
        return True
    st.session_state["load_problems"] = lines
    st.session_state["not_loaded"] = source
    st.session_state["load_control"] = control
    return False


def load_file(name: str | None) -> None:
    if name and not load_with(lambda: load_scenario(SCENARIOS / name), name, name, "file"):
        shown = st.session_state.get("scenario_label")  # the list names the file on the page
        st.session_state["scenario_file"] = shown if shown in scenario_files(SCENARIOS) else None


def load_bytes(data: bytes, name: str, label: str, control: str) -> None:
    if load_with(lambda: read_upload(data, name), name, label, control):
        st.session_state["scenario_file"] = None


def upload_key() -> str:
    """The uploader's key: a new one after each upload, so a refused file does not linger."""
    return f"upload:{st.session_state.get('upload_round', 0)}"


def on_pick() -> None:
    st.session_state["scenario_variant"] = BASE  # a file's own base, until a variant is picked
    load_file(st.session_state.get("scenario_file"))


def on_variant() -> None:
    """Load the variant picked of the file on the page (``variants:`` in the file)."""
    name, variant = st.session_state.get("scenario_file"), st.session_state["scenario_variant"]
    if not name:
        return
    label = name if variant == BASE else f"{name} [{variant}]"
    load_with(lambda: load_variant(str(SCENARIOS / name), variant)[0], label, label, "variant")


@st.cache_data(max_entries=64)
def declared_variants(path: str, modified: float) -> list[str]:
    """The variants a scenario file declares (read again when the file changes)."""
    try:
        return list(read_scenario_file(path).get("variants") or {})
    except Exception:  # noqa: BLE001 - the file's own problems show when it is loaded
        return []


def on_upload() -> None:
    upload = st.session_state.get(upload_key())
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
    if upload is not None:
        load_bytes(upload.getvalue(), upload.name, f"{upload.name} (uploaded)", "upload")


def on_paste() -> None:
    text = st.session_state.get("yaml_text", "").encode("utf-8")
    load_bytes(text, "pasted YAML", "pasted", "paste")


def on_save() -> None:
    try:
        path = save_new(to_yaml(current()), SCENARIOS, st.session_state.get("save_name", ""))
    except SaveError as err:
        notify("error", str(err))
        return
    st.session_state["scenario_file"] = path.name
    st.session_state["scenario_label"] = path.name
    st.session_state.pop("save_name", None)
    notify("success", f"Saved as {path.parent.name}/{path.name}.")


def on_apply_inputs() -> None:
    scenario = current()
    fields = [f for group in editing.form_fields(scenario).values() for f in group]
    values = {f.path: st.session_state.get(f"in:{f.path}") for f in fields}
    tables = {
        name: editing.apply_table_edits(frame, st.session_state.get(f"table:{name}"))
        for name, frame in editing.tables(scenario).items()
    }
    try:
        edited = editing.apply_edits(scenario, values, tables)
    except ScenarioError as err:
        st.session_state["input_problems"] = problems(err)
        return
    if edited == scenario:
        notify("info", "No input changed.")
        return
    label = st.session_state["scenario_label"].removesuffix(" (edited)") + " (edited)"
    use(edited, label, keep_objective=True)
    notify("success", "Inputs applied; the plan below is solved again.")


def on_solve_again() -> None:
    attempted.clear(st.session_state["scenario_json"], st.session_state["objective"])


def on_repair(scenario_json: str, index: int, what: str = "") -> None:
    """Put the repaired scenario on the page: the page's own, or a what-if's (``what``)."""
    a = analysed(scenario_json, st.session_state["objective"])
    repair = a.diagnosis.cheapest if index < 0 else a.diagnosis.alternatives[index]
    base = st.session_state["scenario_label"].removesuffix(" (edited)").removesuffix(" (repaired)")
    use(repair.apply(a.scenario), f"{base} (repaired)", keep_objective=True)
    notify("success", md(f"Repair applied{what}: {repair_sentence(repair)}"))


def on_apply_whatif(scenario_json: str, words: str) -> None:
    """Put a what-if's scenario on the page as an edit."""
    base = st.session_state["scenario_label"].removesuffix(" (edited)")
    use(Scenario.model_validate_json(scenario_json), f"{base} (edited)", keep_objective=True)
    notify("success", md(f"Applied {words}; the plan below is solved again."))


# ---- sidebar ----------------------------------------------------------------------------


def control_problems(control: str) -> None:
    """The problems of the scenario this control refused, right under it."""
    if st.session_state.get("load_control") != control:
        return
    for line in st.session_state.get("load_problems", []):
        st.error(md(line))


def sidebar(scenario: Scenario | None) -> None:
    with st.sidebar:
        st.header("Scenario")
        st.selectbox(
            "Bundled or saved scenario",
            scenario_files(SCENARIOS),
            key="scenario_file",
            on_change=on_pick,
            placeholder="Choose a file in scenarios/",
        )
        control_problems("file")
        picked = st.session_state.get("scenario_file")
        path = SCENARIOS / picked if picked else None
        declared = (
            declared_variants(str(path), path.stat().st_mtime) if path and path.is_file() else []
        )
        if declared:
            st.session_state.setdefault("scenario_variant", BASE)
            st.selectbox(
                "Variant of the file",
                [BASE, *declared],
                key="scenario_variant",
                on_change=on_variant,
                format_func=lambda v: "the file itself" if v == BASE else v.replace("_", " "),
            )
            control_problems("variant")
        st.file_uploader(
            "Or upload a scenario (YAML, at most 5 MiB)",
            type=["yaml", "yml"],
            key=upload_key(),
            on_change=on_upload,
            max_upload_size=5,
        )
        control_problems("upload")
        pasted = st.session_state.get("load_control") == "paste"
        with st.expander("Or paste YAML", expanded=pasted):
            st.text_area("Scenario YAML", key="yaml_text", height=180, max_chars=MAX_SCENARIO_BYTES)
            st.button("Load the pasted YAML", key="load_yaml_text", on_click=on_paste)
            control_problems("paste")
        if scenario is None:
            return
        options = list(OBJECTIVES)
        if stated_targets(scenario).empty:
            options.remove(Objective.closest_to_current.value)
        if st.session_state.get("objective") not in options:
            st.session_state["objective"] = options[0]
        st.radio("Objective", options, format_func=OBJECTIVE_WORDS.get, key="objective")
        st.header("Save")
        if "save_name" not in st.session_state:
            stem = Path(st.session_state["scenario_label"].split(" (")[0]).stem
            st.session_state["save_name"] = free_name(SCENARIOS, f"{stem}_edited")
        st.text_input("New file name in scenarios/", key="save_name")
        st.button("Save as a new file", key="save_scenario", on_click=on_save)
        st.download_button(
            "Download the scenario (YAML)",
            to_yaml(scenario),
            file_name=f"{file_stem(st.session_state['save_name'])}.yaml",
            mime="application/x-yaml",
            key="download_scenario",
            on_click="ignore",
        )


# ---- sections -----------------------------------------------------------------------------


def plan_section(a) -> None:
    scenario, plan = a.scenario, a.plan
    periods = flows.periods(plan)
    period = periods[0]
    if len(periods) > 1:
        period = st.selectbox("Month", periods, key="chain_period")
    steps = flows.chain_steps(scenario, plan, period)
    st.markdown(md(" → ".join(f"{step} **{value}**" for step, value in steps)))
    st.markdown(sankey.svg(flows.volume_flow(scenario, plan, period)), unsafe_allow_html=True)
    st.markdown(sankey.svg(flows.money_flow(scenario, plan, period)), unsafe_allow_html=True)
    st.caption("Widths are the volumes flowing; each box's label gives its own number and unit.")
    st.subheader("People: today and in the plan")
    people = headline.headcount_changes(plan, scenario)
    st.table(
        people.style.format(
            {"today": labels.number, "plan": labels.number, "change": labels.signed_number},
            na_rep="",
        )
    )
    for department, table in headline.department_tables(plan, text=True, scenario=scenario).items():
        st.subheader(f"{department.capitalize()} targets")
        st.table(table.set_index(["role", "target"]))


def panels(frame, key: list[str], widget: str, weight: list[str]):
    """``frame``'s rows of at most ``MAX_PANELS`` groups: every group when they fit, else
    those the leader picks (at first, the groups with most of the ``weight`` columns)."""
    groups = frame.groupby(key, sort=False)
    if groups.ngroups <= MAX_PANELS:
        return frame
    names = list(dict.fromkeys(frame["who"]))
    if widget not in st.session_state:
        moved = frame.groupby("who", sort=False)[weight].sum().sum(axis=1)
        st.session_state[widget] = list(moved.sort_values(ascending=False).index[:MAX_PANELS])
    picked = st.multiselect(
        f"Charted (at most {MAX_PANELS} of {len(names)})",
        names,
        key=widget,
        max_selections=MAX_PANELS,
    )
    return frame[frame["who"].isin(picked)]


@st.fragment
def months_section(a) -> None:
    """People and deals month by month (for a plan whose people flow or whose deals close
    after they are won), and the sales teams side by side, by month."""

    staff, deals = over_time(st.session_state["scenario_json"], a.plan.objective_name)
    if not staff.empty:
        small_multiples(
            "People by month",
            people.people_takeaway(staff),
            panels(staff, ["department", "role"], "months_roles", ["hires decided"]),
            charts.people_months,
            "months_people",
            "Headcount is what payroll pays (with attrition, in full-time equivalents); "
            "productive people are at full speed, new hires ramping up. A hire decided in one "
            "month starts after the hiring lead time. Departures and expected leavers are "
            "drawn below zero.",
        )
        st.markdown("\n".join(f"- {md(line)}" for line in people.role_sentences(staff)))
        st.dataframe(
            people.people_table(staff), hide_index=True, key="months_people", width="stretch"
        )
    if not deals.empty:
        small_multiples(
            "Deals by month",
            people.pipeline_takeaway(deals, a.scenario),
            panels(deals, ["team"], "months_teams", ["won"]),
            charts.pipeline_months,
            "months_pipeline",
            "Won: deals won in the month's conversations. Closing: deals signed in the month "
            "(revenue is booked then), from this and earlier months. Open: won, not yet "
            "closed, at the month's end; its value at the team's deal value.",
        )
        st.dataframe(
            people.pipeline_table(deals), hide_index=True, key="months_pipeline", width="stretch"
        )
    sales = teams.team_frame(a.plan, a.scenario)
    if teams.has_teams(a.plan) and not sales.empty:
        small_multiples(
            teams.heading(sales),
            teams.team_takeaway(sales),
            panels(sales, ["team"], "months_sales_teams", ["revenue"]),
            teams.team_months,
            "months_teams",
            "Deals and revenue are those closing in the month. Selling time booked: the share "
            "of the reps' selling hours the plan's conversations fill. Each measure's panels "
            "share one scale, so teams compare at a glance.",
        )


def small_multiples(title: str, takeaway: str, shown, figure, key: str, caption: str) -> None:
    """One block of the By month tab: its heading, its takeaway in bold, the panels picked
    (``panels``) drawn by ``figure`` (chart key ``{key}_chart``), and what the chart shows."""
    st.subheader(title)
    st.markdown(md(f"**{takeaway}**"))
    if not shown.empty:
        st.plotly_chart(figure(shown), key=f"{key}_chart")
    st.caption(caption)


@st.fragment
def funnel_section(a) -> None:
    """Each sales team's funnel in one month: dials, conversations, each later stage and
    deals, what each rep does a day, a week and a month, the team's prospecting and quota.
    Only for a plan whose teams dial, find their own leads or run stages."""
    plan = a.plan
    months = funnel_view.periods(plan)
    period = months[0]
    if len(months) > 1:
        period = st.selectbox("Month", months, key="funnel_month", format_func=labels.month_label)
    frame = funnel_view.funnel_frame(plan, period)
    for team in funnel_view.teams(plan):
        rows = frame[frame["team"] == team]
        if rows.empty:
            continue
        name = rows["who"].iloc[0]
        st.subheader(name)
        first, *rest = funnel_view.team_lines(plan, team, period)
        st.markdown(md(f"**{first}**"))
        for line in rest:
            st.markdown(md(line))
        st.plotly_chart(
            charts.funnel_chart(rows, f"{name}, {labels.month_label(period)}"),
            key=f"funnel_chart:{team}",
        )
        st.dataframe(
            funnel_view.funnel_table(frame, team, period),
            hide_index=True,
            key=f"funnel_table:{team}",
            width="stretch",
        )
    st.subheader("Beside the funnel")
    st.dataframe(
        funnel_view.details_table(plan, period),
        hide_index=True,
        key="funnel_details",
        width="stretch",
    )
    st.caption(
        "A month's volumes are the team's; a rep's targets divide them by the plan's reps, "
        "a day being a business day and a week five of them. Of the stage before: each "
        "step's volume over the one above it."
    )


@st.fragment
def money_section(a) -> None:
    """Money month by month: cash against profit, customers and recurring revenue,
    receivables and days sales outstanding, the service band and why. Only for a plan with
    cash, recurring revenue or a banded support line."""
    scenario, plan = a.scenario, a.plan
    frame = money_over_time(st.session_state["scenario_json"], plan.objective_name)
    if "cash" in frame.columns:
        st.subheader("Cash and profit by month")
        st.markdown(md(f"**{money_view.cash_takeaway(frame, scenario)}**"))
        st.plotly_chart(charts.cash_and_profit(frame), key="money_cash_chart")
        st.caption(
            "Cash at each month end: the month before's, plus what customers paid, less "
            "payroll, ad spend, cost of goods, hiring costs and bills. Profit counts revenue "
            "when it is invoiced, cash when it is paid."
        )
    if "customers" in frame.columns:
        st.subheader("Customers and recurring revenue")
        st.markdown(md(f"**{money_view.customers_takeaway(frame, scenario)}**"))
        st.plotly_chart(charts.customers_and_revenue(frame), key="money_customers_chart")
        credit = money_view.customer_credit(plan)
        months = scenario.horizon_end.customer_months
        if credit and months:
            st.caption(
                md(
                    f"Kept: customers paying the month before who stay. The plan's objective "
                    f"also credits the customers still paying when it ends at {labels.number(months)} months "
                    f"of their revenue: {labels.money(credit)}, not profit within the plan."
                )
            )
    if "receivables" in frame.columns:
        st.subheader("Receivables and days sales outstanding")
        st.markdown(md(f"**{money_view.receivables_takeaway(frame, scenario)}**"))
        st.plotly_chart(charts.receivables_and_dso(frame), key="money_receivables_chart")
        st.caption(
            "Receivables: invoices not yet paid at the month end. Days sales outstanding: "
            "receivables / the month's invoices × 30 days."
        )
    if money_view.BAND in frame.columns:
        band_section(a, frame)
    st.subheader("Month by month")
    st.dataframe(money_view.month_table(frame), hide_index=True, key="money_table", width="stretch")


def on_explain_band() -> None:
    st.session_state["band_for"] = (token(), st.session_state["objective"])


def band_section(a, frame) -> None:
    """The band each month, by name and what it means, and why: the band's re-solves (each
    other band held every month, one more agent) once asked for, from the explanation of
    what moves the plan if it has them, else solved on their own; before, the plan's own
    sentence on the band."""
    scenario, objective = a.scenario, a.plan.objective_name
    st.subheader("Service band")
    why, failure, story = None, None, None
    try:
        if explanation_requested():
            why = explained(st.session_state["scenario_json"], objective)[0]
        story = money_view.band_story(why)
        if story is None and band_requested():
            story, failure = band_explained(st.session_state["scenario_json"], objective)
    except Exception as err:  # noqa: BLE001 - the page shows the cause, the log the traceback
        log.exception("the band's re-solves failed")
        st.error(md(f"The band's re-solves failed: {type(err).__name__}: {str(err)[:300]}"))
    sentences, re_solved = money_view.band_reasons(a.plan, scenario, story)
    line = money_view.band_takeaway(frame, scenario) if re_solved or not sentences else ""
    st.markdown(md(f"**{line or sentences[0]}**"))
    bands = money_view.band_table(frame, scenario)
    st.dataframe(
        bands, hide_index=True, key="money_bands", width="stretch",
        column_config=fitted(**{c: FITS // len(bands.columns) for c in bands.columns}),
    )  # fmt: skip
    if re_solved:
        st.markdown(
            "**Why this band: each other band held every month, and one more agent, "
            "re-solved**\n\n" + "\n".join(f"- {md(t)}" for t in sentences)
        )
    elif failure is not None:
        lost = "The plan above stands; the band's re-solves are not shown."
        st.error(md(failure.text(scenario.name, st.session_state["scenario_label"], lost)))
    elif band_requested():
        st.caption("The band's re-solves ran out of time: the sentence above is the plan's own.")
    else:
        st.caption(
            "Why this band, in customers and cash: the plan re-solved with each other band "
            "held every month, and with one more agent allowed (a few seconds)."
        )
        st.button("Explain why this band", key="money_explain_run", on_click=on_explain_band)


def limits_section(plan) -> None:
    best = limits.most_valuable(plan)
    if best:
        st.info(md(best))
    show_all = st.toggle("Show every limit, not only the binding ones", key="limits_show_all")
    st.dataframe(
        limits.limit_table(plan, show_all),
        hide_index=True,
        column_config=fitted(limit=240, kind=75, status=75, **{"worth a step": 200}, sentence=200),
        width="stretch",
    )
    st.subheader("What one natural step of each binding limit is worth")
    bars = limits.value_bars(plan)
    if bars.empty:
        st.caption("No binding limit is worth money at the margin.")
    else:
        st.markdown(md(f"**{limits.bars_takeaway(bars)}**"))
        st.plotly_chart(charts.value_bars(bars, plan.objective_unit), key="value_bars")
        st.caption(
            "Each input's natural step, valued by re-solving, is under 'What moves the plan'."
        )


def variables_section(plan) -> None:
    """The plan's decisions as Excel Solver's "Variable Cells" (``optimizer.app.variables``)."""
    closest = variables.takeaway(plan)
    if closest:
        st.info(md(closest))
    show_all = st.toggle("Show every decision, one row each", key="variables_show_all")
    frame, total = variables.table(plan, show_all)
    st.dataframe(
        frame,
        hide_index=True,
        key="variables_table",
        column_config=fitted(**variables.widths(frame)),
        width="stretch",
    )
    st.caption(md(variables.caption(plan, len(frame), total)))


def child_answer(call, name: str, what: str, failed: str, lost: str, refused: str | None = None):
    """The answer of a cached call made in a child process (``(answer, failure)``), or
    None once the page has said why there is none: an exception (logged, ``failed`` in
    words), or the child's crash or hang (``guard.Failure`` of the scenario ``name``, with
    ``lost``: what still stands). With ``refused``, a question the answer cannot read
    (``KeyError``, ``ValueError``) is shown as ``refused: why``, not logged."""
    try:
        found, failure = call()
    except Exception as err:  # noqa: BLE001 - the page shows the cause, the log the traceback
        if refused is not None and isinstance(err, (KeyError, ValueError)):
            st.error(md(f"{refused}: {err.args[0] if err.args else err}"))
            return None
        log.exception("%s failed", what)
        st.error(md(f"{failed}: {type(err).__name__}: {str(err)[:300]}"))
        return None
    if failure is not None:
        st.error(md(failure.text(name, st.session_state["scenario_label"], lost)))
        return None
    return found


def on_explain() -> None:
    st.session_state["explain_for"] = (token(), st.session_state["objective"])


def explanation_section(a) -> None:
    """What moves the plan: computed on request, in a child process, cached."""
    st.subheader("What moves the plan")
    if not explanation_requested():
        st.caption(
            "Each input's natural step (one hour a day, one person, $1,000, one percentage "
            "point) valued in money, with the plan's people held and with hiring free; why "
            "each headcount is what it is; what the quality floor costs. Takes a few seconds."
        )
        st.button("Explain what moves the plan", key="explain_run", on_click=on_explain)
        return
    why = child_answer(
        lambda: explained(st.session_state["scenario_json"], a.plan.objective_name),
        a.scenario.name,
        "the explanation", "The explanation failed",
        "The plan above stands; no explanation is shown for it.",
    )  # fmt: skip
    if why is None:
        return
    months = max(1, a.scenario.calendar.horizon_months)
    table = explanation.step_table(why, a.plan)
    if table.empty:
        st.info("No natural step of any input would change the plan's value.")
    else:
        st.markdown(md(f"**{explanation.takeaway(why, months)}**"))
        st.dataframe(
            table,
            hide_index=True,
            key="explain_steps",
            width="stretch",
            column_config=fitted(
                input=240,
                step=200,
                **{"hiring free": 85, "people held": 85, "limits it moves": 180},
            ),
        )
        st.caption(
            f"Money {explanation.period_words(months)}. Hiring free: the plan solved again "
            "with every headcount free. People held: the plan's people kept."
        )
        bars = explanation.bars(why)
        st.plotly_chart(charts.step_bars(bars, a.plan.objective_unit), key="explain_bars")
    sentences = explanation.headcount_sentences(why)
    if sentences:
        st.markdown("**Why this many people**\n\n" + "\n".join(f"- {md(t)}" for t in sentences))
    floor = explanation.quality_sentence(why)
    if floor:
        st.markdown(f"**The quality floor**\n\n{md(floor)}")
    band = why.service_band
    if band and band.get("sentences"):
        st.markdown(
            "**The service band, in customers and cash**\n\n"
            + "\n".join(f"- {md(t)}" for t in band["sentences"])
        )
    entering = explanation.entering_sentences(why)
    if entering:
        st.markdown(
            "**What would bring an unused option into the plan**\n\n"
            + "\n".join(f"- {md(t)}" for t in entering)
        )
    for note in why.notes:
        st.caption(md(note))


def input_label(item: tuple[str, float, str], scenario: Scenario | None = None) -> str:
    """'Ad budget = $40,000 a month': the input's label and its value, never its path."""
    path, value, unit = item
    shown = labels.money(value) if unit.startswith("$") else labels.number(value)
    rest = unit[1:].lstrip("/") if unit.startswith("$") else unit
    rest = rest.replace("/", " a ") if unit.startswith("$") else unit
    return f"{labels.input_label(path, scenario)} = {shown} {rest}".rstrip()


@st.fragment
def whatif_section(a) -> None:
    st.subheader("What if one input were different?")
    scenario, plan = a.scenario, a.plan
    items = {p: (p, v, u) for p, v, u in moves.inputs(scenario, plan)}
    path = st.selectbox(
        "Input",
        list(items),
        key="whatif_input",
        format_func=lambda p: input_label(items[p], scenario),
    )
    spec = moves.slider(scenario, path)
    cast = int if spec.integer else float
    if "whatif_value" not in st.session_state or st.session_state.get("whatif_for") != (
        token(),
        path,
    ):
        st.session_state["whatif_value"] = cast(spec.value)
        st.session_state["whatif_for"] = (token(), path)
    value = st.slider(
        f"{labels.input_label(path, scenario)} ({spec.unit})"
        if spec.unit
        else labels.input_label(path, scenario),
        cast(spec.low),
        cast(spec.high),
        step=cast(spec.step),
        key="whatif_value",
        value=None,
    )
    hold = st.toggle("Keep the plan's people (short term: no hiring)", key="whatif_hold")
    if value == spec.value:
        st.caption("Move the slider: the plan is solved again at the new value.")
        return
    moved, error = solved_at(
        st.session_state["scenario_json"], plan.objective_name, path, value, hold
    )
    if moved is None:
        st.error(md(f"{path} = {value:g} is not a valid scenario: {error}"))
        return
    if not moved.solved:
        whatif_no_plan(a, path, value, hold)
        return
    unit = plan.objective_unit
    before, after = plan.objective, moved.objective
    cols = st.columns(3)
    shown = money if unit == "$" else (lambda x: f"{x:,.4g}")
    cols[0].metric(
        f"Objective at {value:g}",
        shown(after),
        f"{'+' if after >= before else ''}{shown(after - before)} vs {shown(before)}",
        border=True,
        delta_arrow=headline.arrow(after - before),
        delta_color="normal" if plan.objective_sense == "max" else "inverse",
    )
    started, stopped = moves.binding_labels(plan, moved)
    cols[1].markdown("**Starts binding**\n\n" + ("\n".join(f"- {n}" for n in started) or "none"))
    cols[2].markdown("**Stops binding**\n\n" + ("\n".join(f"- {n}" for n in stopped) or "none"))
    st.dataframe(
        moves.difference_table(plan, moved), hide_index=True, key="whatif_table", width="stretch"
    )


def whatif_no_plan(a, path: str, value: float, hold: bool) -> None:
    """A what-if without a plan: the conflict and the repairs of the moved scenario (with
    hiring free), each applied with the what-if; or, where only the held people fail, the
    plan with hiring free and a button to apply the what-if."""
    scenario = a.scenario
    words = f"{labels.input_label(path, scenario)} at {value:g}"
    moved_json = moves.with_value(scenario, path, value).model_dump_json()
    objective = st.session_state["objective"]
    if hold:
        st.warning(md(f"With the plan's people held, no plan meets every limit at {words}."))
    found = child_answer(
        lambda: attempted(moved_json, objective),
        scenario.name,
        "the what-if", "The what-if failed",
        "The plan above stands.",
    )  # fmt: skip
    if found is None:
        return
    if found.plan.solved:
        st.info(
            md(
                f"With hiring free there is a plan at {words}: "
                f"{headline.status_line(found.plan)[1]}"
            )
        )
        st.button(
            md(f"Apply {words} to the scenario"),
            key="whatif_apply",
            on_click=on_apply_whatif,
            args=(moved_json, words),
        )
        return
    no_plan_panel(found, moved_json, f" with {words}", "whatif")


def comparison_section(a) -> None:
    c, note = compared(st.session_state["scenario_json"], a.plan.objective_name)
    if isinstance(note, guard.Failure):
        st.error(md(note.text(a.scenario.name, st.session_state["scenario_label"])))
        return
    if c is None:
        st.info(md(note))
        return
    if c.violations.empty:
        st.success("Today's targets break no limit.")
    else:
        sentences = list(dict.fromkeys(c.violations["sentence"]))
        shown = "\n".join(f"- {s}" for s in sentences[:8])
        more = f"\n\n…and {len(sentences) - 8} more in the table." if len(sentences) > 8 else ""
        st.error(md(f"**Today's targets break {len(c.violations)} limit(s)**\n\n{shown}{more}"))
    if c.cascade:
        st.warning(md("**What suffers**\n\n" + "\n".join(f"1. {line}" for line in c.cascade)))
    side = c.side_by_side
    stated = side[side["stated_target"]]
    impossible = today.unmet(stated)
    st.subheader("Today's targets against the plan")
    st.dataframe(
        today.stated_table(stated).style.apply(
            lambda row: ["background-color: #f8d7da" if impossible[row.name] else ""] * len(row),
            axis=1,
        ),
        hide_index=True,
        key="today_stated",
        width="stretch",
    )
    st.caption("Red: a target today's other targets make impossible (reached ≠ stated).")
    st.subheader("Limits today's targets break")
    st.dataframe(
        limits.broken_table(c.violations).style.apply(
            lambda row: ["background-color: #f8d7da"] * len(row), axis=1
        ),
        hide_index=True,
        column_config=fitted(limit=260, sentence=520),
        width="stretch",
    )
    with st.expander("Everything today's targets imply, against the plan"):
        st.dataframe(
            today.implied_table(side[~side["stated_target"]]), hide_index=True, width="stretch"
        )
    if c.finance.get("recommended"):
        st.subheader("Money over the horizon")
        st.dataframe(today.money_table(c.finance), hide_index=True, width="content")
    if c.plan.solved:
        today_right_section(a)


def on_right() -> None:
    st.session_state["right_for"] = token()


def own_objective_note(a) -> None:
    """A caption when the page's objective is not the one the why-not answers are asked under."""
    own = objective_of(a.scenario)
    if own != a.plan.objective_name:
        st.caption(
            f"Asked under the scenario's own objective ({OBJECTIVE_WORDS.get(own, own).lower()}"
            "), as the command line asks it, not the objective chosen in the sidebar."
        )


def today_right_section(a) -> None:
    """What would make today's targets right: on request, in a child process, cached."""
    st.subheader("What would make today's targets right")
    if not right_requested():
        st.caption(
            "The smallest change of the inputs with which today's targets could be met "
            "exactly, every limit kept and every goal reached; then what would also make them "
            "the best plan with today's people. Each change is re-solved. Takes some seconds "
            f"(at most {analysis.RIGHT_SECONDS:g})."
        )
        st.button("What would make them right?", key="right_run", on_click=on_right)
        return
    right = child_answer(
        lambda: made_right(st.session_state["scenario_json"]),
        a.scenario.name,
        "what would make today's targets right", "The search failed",
        "The comparison above stands; no answer is shown for it.",
    )  # fmt: skip
    if right is None:
        return
    st.markdown("\n".join(f"- {md(line)}" for line in right.sentences))
    table = today.right_table(right)
    if not table.empty:
        st.dataframe(
            table,
            hide_index=True,
            key="today_right_table",
            column_config=fitted(input=250, today=190, **{"would have to be": 190, "for": 150}),
            width="stretch",
        )
        st.caption(
            "Each value is rounded away from today's, so it is enough; just short of each "
            "change needed, with the others, there is no plan."
        )
    for note in right.notes:
        st.caption(md(f"Note: {note}."))
    own_objective_note(a)


@st.fragment
def price_ranges_section(a) -> None:
    """How far each price can move before the plan's decisions change: on request, in a
    child process, cached on the scenario and objective (``optimizer.analysis.holding``)."""
    if not variables.has_decisions(a.plan):
        return
    st.subheader("How far can each price move?")
    key = (token(), a.plan.objective_name)
    if not asked(
        st.button("Move each price", key="ranges_run"),
        "ranges_for",
        key,
        "Each price (a lead's, a deal's value, a unit's materials) moved until the plan's "
        "decisions stop being the best, with the plan's people; both ends re-solved. A "
        "few seconds.",
    ):
        return
    found = child_answer(
        lambda: ranged(st.session_state["scenario_json"], a.plan.objective_name),
        a.scenario.name,
        "the price ranges", "The re-solves failed",
        "The plan above stands; no ranges are shown for it.",
    )  # fmt: skip
    if found is None:
        return
    limited = [h.sentence for h in found if h.low_limited or h.high_limited]
    free = [h.label for h in found if not (h.low_limited or h.high_limited)]
    st.markdown("\n".join(f"- {md(line)}" for line in limited) or "No price moves the plan.")
    if free:
        st.caption(md("At any value, with the plan's people: " + ", ".join(free) + "."))


def why_not_section(a) -> None:
    """Why not this option? A decision held at a value (or at least at one), re-solved in a
    child process, cached on the scenario and the option."""
    plan = a.plan
    choices = variables.options(plan)
    if not choices:
        return
    st.subheader("Why not this option?")
    if st.session_state.get("whynot_pick") not in choices:
        first = variables.closest_unused(plan)
        st.session_state["whynot_pick"] = first if first in choices else next(iter(choices))
    name = st.selectbox("Decision", list(choices), key="whynot_pick", format_func=choices.get)
    if st.session_state.get("whynot_for") != (token(), name):
        op, value = variables.default_ask(plan, name)
        st.session_state["whynot_op"], st.session_state["whynot_value"] = op, value
        st.session_state["whynot_for"] = (token(), name)
    left, right = st.columns([1, 2])
    op = left.radio(
        "Held", list(variables.OPS), key="whynot_op", format_func=variables.OPS.get,
        horizontal=True,
    )  # fmt: skip
    value = right.number_input("Value", min_value=0.0, step=1.0, format="%g", key="whynot_value")
    if st.button("Why not?", key="whynot_run", type="primary"):
        st.session_state["whynot_request"] = (token(), variables.spec(name, op, value), name)
    request = st.session_state.get("whynot_request")
    if request is None or request[0] != token():
        st.caption(
            "Pick a decision and a value: the plan is solved again with it held there (in "
            "whole people), and the answer says what it costs, which limits would bind "
            "instead and the cheapest change of one input that would make it part of the "
            "best plan. A few seconds."
        )
        return
    _, asked, asked_name = request
    answer = child_answer(
        lambda: asked_why_not(st.session_state["scenario_json"], (asked,)),
        a.scenario.name,
        f"why not {asked}", "The re-solves failed",
        "The plan above stands; no answer is shown for the option.", refused=asked,
    )  # fmt: skip
    if answer is None:
        return
    held = asked.removeprefix(asked_name)
    held = f"at least {held[2:]}" if held.startswith(">=") else f"= {held[1:]}"
    st.markdown(md(f"**Why not {choices.get(asked_name, asked_name)} {held}?**"))
    st.markdown("\n".join(f"- {md(line)}" for line in answer.sentences))
    own_objective_note(a)


def diagnosis_section(a) -> None:
    no_plan_panel(a, st.session_state["scenario_json"], "", "apply")


def no_plan_panel(a, scenario_json: str, what: str, key: str) -> None:
    """Why there is no plan (the conflicting limits) and the repairs, each a button that puts
    the repaired scenario on the page. ``scenario_json`` is the scenario ``a`` answers (the
    page's, or a what-if's); ``what`` names a what-if applied with the repair."""
    d = a.diagnosis
    if d is None:
        st.warning(md(headline.status_line(a.plan)[1]))
        return
    kind = "in whole people only" if d.relaxation == "integer" else "outright"
    st.error(
        f"No plan meets every limit and goal. These {len(d.conflict)} limits conflict {kind}: "
        "drop any one and the rest can hold."
    )
    st.table(diagnosis_tables.conflict_table(d.conflict, a.scenario), hide_index=True)
    if d.cheapest is None:
        st.warning(md(d.message))
        return
    st.markdown(f"**Cheapest repair{what}:** {md(repair_sentence(d.cheapest))}")
    st.dataframe(diagnosis_tables.changes_table(d.cheapest.changes, a.scenario), hide_index=True)
    if d.repaired is not None and d.repaired.solved:
        worth = (
            money(d.repaired.objective)
            if d.repaired.objective_unit == "$"
            else f"{d.repaired.objective:,.4g} {d.repaired.objective_unit}"
        )
        st.caption(md(f"With it the plan is {d.repaired.status.value}: {worth}."))
    st.button(
        f"Apply the cheapest repair{what}",
        key=f"{key}_repair",
        type="primary",
        on_click=on_repair,
        args=(scenario_json, -1, what),
    )
    if d.alternatives:
        st.markdown("**Or one lever at a time**")
        for i, repair in enumerate(d.alternatives):
            left, right = st.columns([5, 1])
            left.markdown(md(repair_sentence(repair)))
            right.button(
                "Apply",
                key=f"{key}_alternative_{i}",
                on_click=on_repair,
                args=(scenario_json, i, what),
            )


@st.fragment
def sensitivity_section(a) -> None:
    scenario, plan = a.scenario, a.plan
    items = {p: (p, v, u) for p, v, u in moves.inputs(scenario, plan)}
    path = st.selectbox(
        "Input to sweep",
        list(items),
        key="sweep_input",
        format_func=lambda p: input_label(items[p], scenario),
    )
    spec = moves.slider(scenario, path)
    cast = int if spec.integer else float
    if "sweep_range" not in st.session_state or st.session_state.get("sweep_for") != (
        token(),
        path,
    ):
        st.session_state["sweep_range"] = (cast(spec.low), cast(spec.high))
        st.session_state["sweep_for"] = (token(), path)
    low, high = st.slider(
        "Range",
        cast(spec.low),
        cast(spec.high),
        step=cast(spec.step),
        key="sweep_range",
        value=None,
    )
    left, right = st.columns(2)
    st.session_state.setdefault("sweep_points", 11)
    points = left.number_input(
        "Points",
        min_value=3,
        max_value=sensitivity.MAX_POINTS,
        step=1,
        key="sweep_points",
        value=None,
    )
    available = sensitivity.available_targets(plan)
    st.session_state.setdefault(
        "sweep_metrics", [m for m in sensitivity.DEFAULT_TARGETS if m in available]
    )
    metrics = right.multiselect("Targets to chart", available, key="sweep_metrics")
    if st.button("Run the sweep", key="sweep_run", type="primary"):
        st.session_state["sweep_request"] = (token(), plan.objective_name, path, low, high, points)
    request = st.session_state.get("sweep_request")
    if request is None or request[:3] != (token(), plan.objective_name, path):
        st.caption("Choose an input and a range, then run the sweep. Each point is cached.")
        return
    _, objective, path, low, high, points = request
    values = sensitivity.grid(low, high, points or 11, spec.integer)
    progress = st.progress(0.0, text="Solving…")
    solved = []
    for i, value in enumerate(values, start=1):
        moved, error = solved_at(st.session_state["scenario_json"], objective, path, value)
        solved.append((value, moved, error))
        progress.progress(i / len(values), text=f"Solved {i} of {len(values)}")
    progress.empty()
    table = sensitivity.sweep_table(solved, metrics)
    curve = sensitivity.objective_curve(table)
    label = f"{OBJECTIVE_WORDS.get(objective, objective)} ({plan.objective_unit})"
    words = labels.input_label(path, scenario)
    st.markdown(md(f"**{sensitivity.takeaway(curve, words, spec.unit, plan.objective_unit)}**"))
    st.plotly_chart(
        charts.sweep(table, curve, labels.input_label(path, scenario), label), key="sweep_chart"
    )
    st.dataframe(
        sensitivity.curve_table(curve, spec.unit, plan.objective_unit),
        hide_index=True,
        width="content",
        key="sweep_table",
    )


def asked(pressed: bool, name: str, key: tuple, caption: str) -> bool:
    """An answer computed on request: True once its button was pressed for ``key`` (the
    scenario and the answer's settings, kept in session state ``name``); until then the
    caption says what it would compute, and how long it takes."""
    if pressed:
        st.session_state[name] = key
    if st.session_state.get(name) != key:
        st.caption(caption)
        return False
    return True


@st.fragment
def tradeoff_section(a) -> None:
    """Profit against one other thing (``optimizer.app.tradeoff``): on request, in a child
    process, cached on the scenario, the objective and the axis."""
    offered = tradeoff_view.axes(a.scenario)
    st.subheader("Trade-offs")
    axis = st.selectbox(
        "Profit against", list(offered), format_func=offered.get, key="tradeoff_axis"
    )
    key = (token(), a.plan.objective_name, axis)
    if not asked(
        st.button("Draw the curve", key="tradeoff_run", type="primary"),
        "tradeoff_for",
        key,
        "The plan solved again at each point of the curve, in whole people, each point "
        "checked against the scenario. Seconds on a small company, a minute on a large one.",
    ):
        return
    front = child_answer(
        lambda: traded(st.session_state["scenario_json"], a.plan.objective_name, axis),
        a.scenario.name,
        "the trade-off curve", "The re-solves failed",
        "The plan above stands; no curve is shown for it.",
        refused="No curve",
    )  # fmt: skip
    if front is None:
        return
    st.markdown(md(tradeoff_view.takeaway(front)))
    st.plotly_chart(tradeoff_view.figure(front), key="tradeoff_chart")
    st.dataframe(tradeoff_view.table(front), hide_index=True, key="tradeoff_table", width="stretch")
    st.markdown("\n".join(f"- {md(step.words)}" for step in front.steps))
    for note in front.notes:
        st.caption(md(f"Note: {note}."))


@st.fragment
def odds_section(a) -> None:
    """How likely the plan is (``optimizer.app.risk``): on request, in a child process,
    cached on the scenario, the draws and the seed."""
    st.subheader("How likely is the plan?")
    ranges = a.scenario.uncertainty
    if ranges is None:
        st.caption("No ranges on this scenario's inputs; to see the plan's odds, add to its file:")
        st.code(odds_view.hint(a.scenario), language="yaml")
        return
    cols = st.columns([1, 1, 2], vertical_alignment="bottom")
    draws = cols[0].number_input(
        "Draws", 1, odds_view.MAX_DRAWS, ranges.draws, step=1000, key="odds_draws"
    )
    seed = cols[1].number_input("Seed", 0, None, ranges.seed, step=1, key="odds_seed")
    key = (token(), int(draws), int(seed))
    if not asked(
        cols[2].button("Work out the odds", key="odds_run", type="primary"),
        "odds_for",
        key,
        "The plan's people held, the ranged inputs drawn, the rest of the plan solved again "
        "for each draw. 10,000 draws of a one-month company take about 8 s.",
    ):
        return
    found = child_answer(
        lambda: drawn_odds(st.session_state["scenario_json"], *key[1:]),
        a.scenario.name,
        "the plan's odds", "The draws failed",
        "The plan above stands; no odds are shown for it.",
        refused="No odds",
    )  # fmt: skip
    if found is None:
        return
    r = found.risk
    cards = odds_view.goal_cards(r)
    for col, c in zip(st.columns(len(cards)) if cards else [], cards):
        col.metric(
            md(c.label), c.value, c.error, "off", help=c.help, border=True, delta_arrow="off"
        )
    if not cards:
        st.info("The scenario states no finance goal; the spread of profit is below.")
    with st.expander("In words"):
        st.markdown("\n".join(f"- {md(t)}" for t in odds_view.sentences(r, r.plan_variables)))
    if odds_view.histogram_period(r):
        st.markdown(md(f"**{odds_view.histogram_takeaway(found)}**"))
        st.plotly_chart(odds_view.histogram(found), key="odds_histogram")
    for measure in odds_view.measures(r) if len(odds_view.months(r)) > 1 else []:
        st.markdown(md(f"**{odds_view.fan_takeaway(r, measure)}**"))
        st.plotly_chart(odds_view.fan(r, measure), key=f"odds_fan_{measure}")
    if not r.tornado.empty:
        st.markdown(md(f"**{odds_view.tornado_takeaway(r)}**"))
        st.plotly_chart(odds_view.tornado(r), key="odds_tornado")
    st.markdown("**The targets: P10, P50, P90**")
    periods = odds_view.months(r)
    month = st.selectbox(
        "Month", periods, format_func=labels.month_label, key="odds_month"
    ) if len(periods) > 1 else None  # fmt: skip
    st.dataframe(
        odds_view.targets_table(r, month), hide_index=True, key="odds_targets", width="stretch"
    )
    st.caption(odds_view.kept_caption(r))
    with st.expander("Profit and cash by month, and what drives profit"):
        st.dataframe(odds_view.money_table(r), hide_index=True, key="odds_money")
        st.dataframe(odds_view.tornado_table(r), hide_index=True, key="odds_drivers")
    odds_choice_section(a, r, key)
    own_objective_note(a)


def odds_choice_section(a, r, odds_key: tuple[str, int, int]) -> None:
    """The people chosen for their odds beside the plan's (``optimizer.app.risk``): on
    request, in a child process, cached on the scenario, the odds' seed, what they are chosen
    for and the draws."""
    st.subheader("Choose people for their odds")
    objectives = list(odds_view.CHOICE_OBJECTIVES)
    if r.goals.empty:  # no goal to meet: only the expected profit
        objectives.remove("probability")
    cols = st.columns([2, 1, 1, 2], vertical_alignment="bottom")
    objective = cols[0].selectbox(
        "Chosen for", objectives, format_func=odds_view.CHOICE_OBJECTIVES.get,
        key="odds_choice_objective",
    )  # fmt: skip
    choosing = cols[1].number_input(
        "Choosing draws", 1, odds_view.MAX_CHOOSING_DRAWS, odds_view.CHOOSING_DRAWS, step=100,
        key="odds_choice_draws",
    )  # fmt: skip
    fresh = cols[2].number_input(
        "Fresh draws", 1, odds_view.MAX_FRESH_DRAWS,
        min(odds_key[1], odds_view.MAX_FRESH_DRAWS), step=1000, key="odds_choice_fresh",
    )  # fmt: skip
    key = (*odds_key, objective, int(choosing), int(fresh))
    if not asked(
        cols[3].button("Choose people for their odds", key="odds_choice_run"),
        "odds_choice_for",
        key,
        "The people that do best for it over the choosing draws (one model holding "
        "every draw, the people shared), then both plans measured on fresh draws the "
        "choice never saw. 200 choosing draws and 10,000 fresh draws of a one-month company "
        "take about 20 s.",
    ):
        return
    chosen = child_answer(
        lambda: chosen_for_odds(st.session_state["scenario_json"], *key[2:]),
        a.scenario.name,
        "the choice for odds", "The choice failed",
        "The plan and its odds above stand; no choice is shown.",
        refused="No choice",
    )  # fmt: skip
    if chosen is None:
        return
    variables = r.plan_variables
    st.markdown(md(f"**{odds_view.choice_takeaway(chosen, goals=not r.goals.empty)}**"))
    st.markdown("\n".join(f"- {md(t)}" for t in odds_view.choice_sentences(chosen, variables)))
    moved = odds_view.choice_changed(chosen)
    st.dataframe(
        odds_view.choice_table(chosen, variables).style.apply(
            lambda row: ["background-color: #fff2cc" if moved[row.name] else ""] * len(row),
            axis=1,
        ),
        hide_index=True, key="odds_choice_table", width="stretch",
    )  # fmt: skip
    st.caption(
        ("Shaded: the people the choice moves. " if chosen.changed else "")
        + f"Both plans on the same {chosen.fresh_draws:,} fresh draws (seed {chosen.fresh_seed}), "
        "not the draws above: the single-number plan's odds differ from the card's by the "
        "draws' error. ± one standard error of the share."
    )
    if not r.goals.empty:
        st.plotly_chart(odds_view.choice_figure(chosen), key="odds_choice_chart")


def downloads_section(a) -> None:
    token_json, objective = st.session_state["scenario_json"], a.plan.objective_name
    stem = Path(st.session_state["scenario_label"].split(" (")[0]).stem or "plan"
    data = plan_files(token_json, objective)
    cols = st.columns(4)
    for col, (name, label, mime, key) in zip(
        cols,
        [
            ("targets.csv", "Targets (CSV)", "text/csv", "download_csv"),
            ("limits.csv", "Limits (CSV)", "text/csv", "download_limits_csv"),
            ("plan.json", "Plan (JSON)", "application/json", "download_json"),
        ],
    ):
        col.download_button(
            label, data[name], file_name=f"{stem}-{name}", mime=mime, key=key, on_click="ignore"
        )
    book = workbook_file(
        token_json, objective, explanation_requested(), band_requested(), right_requested(),
        tradeoff_requested(), odds_requested(), choice_requested(),
    )  # fmt: skip
    cols[3].download_button(
        "Workbook (Excel)",
        book,
        file_name=f"{stem}-plan.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="download_xlsx",
        on_click="ignore",
    )
    st.caption(
        "The workbook follows a spreadsheet solver's reports, in labels with formatted "
        "numbers: Summary (the answer), Targets, Constraints (status, slack, shadow price, "
        "allowable increase and decrease, the natural step and its value), Inputs (marginal "
        "values), Funnel (each sales team's stages a month and a rep, when the plan has "
        "them), Money (cash, customers, receivables and the service band by month, when the "
        "plan has them) and Comparison (today's targets against the plan); Explanation "
        "(what moves the plan) once it has been computed in the Limits tab, Today right "
        "(what would make today's targets right) once it has been computed in the Today tab, "
        "Trade-offs (the curve last drawn) and Odds (the plan's odds, and the people chosen "
        "for them when asked) once computed in their tabs."
    )


def inputs_section(scenario: Scenario) -> None:
    fields = editing.form_fields(scenario)
    said = st.session_state.get("input_problems", [])
    placed = set()
    with st.form("inputs_form", border=False):
        for section, title in editing.SECTIONS.items():
            if section not in fields:
                st.caption(f"{title}: not part of this scenario.")
                continue
            st.markdown(f"**{title}**")
            cols = st.columns(4)
            for i, f in enumerate(fields[section]):
                key = f"in:{f.path}"
                if key not in st.session_state:
                    st.session_state[key] = f.value
                words = labels.input_label(f.path, scenario)
                words = f.label if words == f.path else words
                label = f"{words} ({f.unit})" if f.unit else words
                with cols[i % 4]:
                    if f.kind == "choice":
                        st.selectbox(label, f.options, key=key)
                    elif f.kind == "int":
                        st.number_input(label, value=None, step=1, key=key)
                    else:
                        st.number_input(label, value=None, step=0.01, format="%g", key=key)
                    for line in said:  # a problem of this field, under it
                        if f"{f.path}:" in line or f"{f.path} " in line:
                            st.error(md(line))
                            placed.add(line)
        for name, frame in editing.tables(scenario).items():
            st.markdown(f"**{editing.TABLE_TITLES[name]}**")
            columns = editing.TABLES[name]
            width = (FITS - 40) // len(columns)  # all in view at 1280 px (less the row marks)
            config = {
                c: st.column_config.Column(
                    label, help=f"{label} ({unit})" if unit else None, width=width
                )
                for c, label, unit, _ in columns
            }
            st.data_editor(
                frame,
                key=f"table:{name}",
                num_rows="dynamic",
                hide_index=True,
                column_config=config,
            )
        st.form_submit_button(
            "Apply and solve again", key="apply_inputs", type="primary", on_click=on_apply_inputs
        )
        if said:
            st.error(
                md(
                    f"Not applied: {len(said)} problem{'s' if len(said) != 1 else ''}; the plan "
                    "is still the one for the inputs before this edit, and your edits are kept "
                    "here to fix."
                )
            )
        for line in said:
            if line not in placed:
                st.error(md(line))


# ---- the page -----------------------------------------------------------------------------


def page_state() -> tuple:
    """What the header shows: the scenario, the objective, a notice, an edit's problems."""
    return (
        token(),
        st.session_state.get("objective"),
        "notice" in st.session_state,
        tuple(st.session_state.get("input_problems", [])),
    )


@st.fragment
def tab_body(draw, drawn_for: tuple) -> None:
    """One tab, rerun alone when its own widgets move; the whole page runs again when a
    widget in it changed what the header shows (a repair, an applied edit or what-if)."""
    if page_state() != drawn_for:  # a callback of this tab's widgets changed the page
        st.rerun()
    draw()


def answer_section(a) -> None:
    """The answer first: the verdict and the sentences that matter, the check, the cards."""
    if st.session_state.get("input_problems"):
        st.warning(
            "The plan below is for the inputs before your edit: the edit was not applied. "
            "Its problems are listed beside “Apply and solve again” in the Inputs tab."
        )
    said = answer.answer(a)
    with st.container(border=True, key="answer"):
        st.markdown(md(f"**{said.verdict}**" + "".join(f" {t}" for t in said.sentences)))
        kind, text = headline.status_line(a.plan)
        if kind == "success":
            st.caption(md(f"✓ {text}"))
    if kind != "success" and (a.plan.solved or a.diagnosis is None):
        getattr(st, kind)(md(text))  # no plan and a diagnosis: the answer and the tab say why
    metrics = headline.headline(a)
    for col, m in zip(st.columns(len(metrics)) if metrics else [], metrics):
        col.metric(
            m.label,
            m.value,
            m.delta,
            delta_color=m.delta_color,
            help=m.help or None,
            border=True,
            delta_arrow=m.arrow,
        )


def on_back() -> None:
    for key in ("load_problems", "not_loaded", "load_control"):
        st.session_state.pop(key, None)


def refused_section(scenario: Scenario) -> None:
    """A file that was refused: no plan on the page (the last one was not its answer)."""
    refused = st.session_state["not_loaded"]
    lines = st.session_state.get("load_problems", [])
    where = CONTROL_WORDS.get(st.session_state.get("load_control"), "in the sidebar")
    st.error(
        md(
            f"“{refused}” was not loaded: {len(lines)} problem{'s' if len(lines) != 1 else ''}, "
            f"listed {where}. No plan is shown, so nothing on this page is taken for its answer."
        )
    )
    for line in lines:
        st.markdown(md(f"- {line}"))
    st.button(
        md(f"Show the plan of “{scenario.name}” again ({st.session_state['scenario_label']})"),
        key="back_to_plan",
        on_click=on_back,
    )


def main() -> None:
    st.set_page_config(page_title="kpi-optimizer", layout="wide")
    if "scenario_json" not in st.session_state:
        names = scenario_files(SCENARIOS)
        first = DEFAULT_FILE if DEFAULT_FILE in names else (names[0] if names else None)
        st.session_state["scenario_file"] = first
        load_file(first)
    scenario = current() if "scenario_json" in st.session_state else None
    sidebar(scenario)
    st.html(COMPACT)
    if scenario is None:
        st.markdown("**kpi-optimizer**")
        st.info("Choose, upload or paste a scenario to see its plan.")
        return
    st.markdown(
        f"**kpi-optimizer** · **{md(scenario.name)}** · {md(st.session_state['scenario_label'])}",
        help=md(scenario.description) if scenario.description else None,
    )
    if "notice" in st.session_state:
        kind, text = st.session_state.pop("notice")
        getattr(st, kind)(text)
    if "not_loaded" in st.session_state:
        refused_section(scenario)
        return
    try:
        a, failure = attempted(st.session_state["scenario_json"], st.session_state["objective"])
    except NoCurrentTargets as err:
        st.error(md(f"{err}. Choose another objective."))
        return
    except Exception as err:  # noqa: BLE001 - the page shows the cause, the log the traceback
        log.exception("the optimizer failed")
        cause = str(err) if len(str(err)) <= 300 else f"{str(err)[:300]}…"
        st.error(md(f"The optimizer failed on this scenario: {type(err).__name__}: {cause}"))
        return
    if failure is not None:
        st.error(md(failure.text(scenario.name, st.session_state["scenario_label"])))
        st.button("Try again", key="solve_again", on_click=on_solve_again)
        return
    answer_section(a)
    sections = {
        "Plan": lambda: plan_section(a),
        "Funnel": lambda: funnel_section(a),
        "By month": lambda: months_section(a),
        "Money": lambda: money_section(a),
        "Limits, what-ifs": lambda: (
            limits_section(a.plan),
            explanation_section(a),
            whatif_section(a),
        ),
        "Variables": lambda: (
            variables_section(a.plan),
            price_ranges_section(a),
            why_not_section(a),
        ),
        "Today vs plan": lambda: comparison_section(a),
        "Side by side": lambda: versions_view.section(
            st.session_state["scenario_label"],
            st.session_state["scenario_json"],
            st.session_state["objective"],
            SCENARIOS,
        ),
        "Sensitivity": lambda: sensitivity_section(a),
        "Trade-offs": lambda: tradeoff_section(a),
        "Odds": lambda: odds_section(a),
        "Inputs": lambda: inputs_section(scenario),
        "Downloads": lambda: downloads_section(a),
    }
    if not (
        people.has_people_flow(a.plan) or people.has_pipeline(a.plan) or teams.has_teams(a.plan)
    ):
        del sections["By month"]
    if not funnel_view.has_funnel(a.plan):
        del sections["Funnel"]
    if not money_view.has_money(a.plan):
        del sections["Money"]
    if not variables.has_decisions(a.plan):
        del sections["Variables"]
    if not a.plan.solved:
        sections = {"Why there is no plan": lambda: diagnosis_section(a)} | {
            name: sections[name] for name in ("Today vs plan", "Inputs", "Downloads")
        }
    if st.session_state.get("section") not in sections:
        st.session_state["section"] = next(iter(sections))
    # only the open tab runs: the first view stays fast and hidden tabs cost nothing
    tabs = st.tabs(list(sections), key="section", on_change="rerun")
    for tab, draw in zip(tabs, sections.values()):
        if tab.open:
            with tab:
                tab_body(draw, page_state())


main()
