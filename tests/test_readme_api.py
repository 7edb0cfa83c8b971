"""The README's Python API example runs as written (every name it uses exists)."""

from __future__ import annotations

import re

from conftest import ROOT


def test_the_python_api_example_runs():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Python API") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    scope: dict = {}
    exec(compile(code, "README.md (Python API)", "exec"), scope)  # noqa: S102 - our own README
    assert scope["plan"].solved and scope["check"].ok
    assert scope["repair_sentence"](scope["diagnosis"].cheapest).startswith("raise the ad budget")
    assert scope["result"].verified.ok
