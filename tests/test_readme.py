"""The README's command-line examples are the product's output, not typed by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from optimizer.cli import app

ROOT = Path(__file__).resolve().parent.parent


def _block_after(text: str, marker: str) -> str:
    """The first fenced block after ``marker`` in the README, lines stripped on the right."""
    start = text.index("```\n", text.index(marker)) + 4
    return "\n".join(line.rstrip() for line in text[start : text.index("```", start)].splitlines())


def test_readme_seed_examples_are_the_products_output():
    run = CliRunner().invoke(app, ["solve", str(ROOT / "scenarios" / "seed_company.yaml")])
    assert run.exit_code == 0, run.output
    shown = "\n".join(line.rstrip() for line in run.stdout.splitlines())
    readme = (ROOT / "README.md").read_text()
    quick = _block_after(readme, "binding limits in plain words, for example:")
    assert quick.startswith("- Qualified leads for conversations, Jan 2027:") and quick in shown
    answer = _block_after(readme, "## Reading the answer")  # the full explanation
    full = CliRunner().invoke(
        app, ["solve", str(ROOT / "scenarios" / "seed_company.yaml"), "--hiring-free"]
    )
    assert full.exit_code == 0, full.output
    shown_full = "\n".join(line.rstrip() for line in full.stdout.splitlines())
    assert answer.startswith("What moves the plan") and answer in shown_full
    assert "Working day" in answer and "+$5,200" in answer and "$20,800" not in answer


def test_readme_tradeoff_example_is_the_products_output():
    seed = str(ROOT / "scenarios" / "seed_company.yaml")
    run = CliRunner().invoke(app, ["tradeoff", seed, "--against", "headcount"])
    assert run.exit_code == 0, run.output
    shown = "\n".join(line.rstrip() for line in run.stdout.splitlines())
    block = _block_after((ROOT / "README.md").read_text(), "## Trade-offs: `tradeoff`")
    assert block.startswith("- Cutting the headcount") and block in shown


@pytest.mark.slow  # 10,000 draws: about 8 s
def test_readme_risk_example_is_the_products_output():
    """The seed company's odds, as `risk` prints them with the file's 10,000 draws (about
    8 s); the last line's largest excess is left out (the floating point's last digits)."""
    run = CliRunner().invoke(app, ["risk", str(ROOT / "scenarios" / "seed_company.yaml")])
    assert run.exit_code == 0, run.output
    shown = "\n".join(line.rstrip() for line in run.stdout.splitlines())
    readme = (ROOT / "README.md").read_text()
    block = _block_after(readme, "(`kpi-optimizer risk scenarios/seed_company.yaml`, 10,000")
    assert block.startswith("How likely the plan is: Seed company") and block in shown
    assert "met in 73.3 % of 10,000 draws" in block


@pytest.mark.slow
def test_readme_money_example_is_the_products_output():
    """The software company's money notes and service-band sentences, as `solve` prints them."""
    run = CliRunner().invoke(app, ["solve", str(ROOT / "scenarios" / "software_company.yaml")])
    assert run.exit_code == 0, run.output
    shown = "\n".join(line.rstrip() for line in run.stdout.splitlines())
    readme = (ROOT / "README.md").read_text()
    block = _block_after(readme, "### Money: cash, customers and the service band")
    notes, _, story = block.partition("The service band, in customers and cash")
    for note in notes.strip().splitlines():
        assert note in shown
    assert "The service band, in customers and cash" + story in shown


def test_readme_diff_example_is_the_products_output(monkeypatch):
    monkeypatch.chdir(ROOT)
    seed = "scenarios/seed_company.yaml"  # relative, as the README shows it
    run = CliRunner().invoke(
        app, ["diff", seed, f"{seed}@least_cost"], env={"COLUMNS": "120"}, catch_exceptions=False
    )
    assert run.exit_code == 0, run.output
    shown = "\n".join(line.rstrip() for line in run.stdout.splitlines())
    readme = (ROOT / "README.md").read_text()
    head = _block_after(readme, "(`kpi-optimizer diff scenarios/seed_company.yaml scenarios/")
    tail = _block_after(readme, "and ends with the limits that moved:")
    assert head.startswith("A = scenarios/seed_company.yaml") and head in shown
    assert "$25,000 (−$10,400)" in head and "B: profit $25,000, $10,400 less than A" in head
    assert tail.startswith("limits that start binding in B:") and shown.endswith(tail)


def test_readme_app_answer_is_the_pages_answer():
    from optimizer.app.analysis import analyse
    from optimizer.app.answer import answer
    from optimizer.scenario.loading import load_scenario

    readme = (ROOT / "README.md").read_text()
    start = readme.index("<!-- app-answer -->\n") + len("<!-- app-answer -->\n")
    quoted = readme[start : readme.index("<!-- /app-answer -->")].strip()
    said = answer(analyse(load_scenario(ROOT / "scenarios" / "seed_company.yaml")))
    assert quoted == "> " + " ".join([f"**{said.verdict}**", *said.sentences])
