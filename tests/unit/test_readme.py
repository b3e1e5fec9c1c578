"""The README's promises that code can check: the coverage table and the two set-up commands."""

from __future__ import annotations

import re
from pathlib import Path

from userpool.coverage import markdown

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_coverage_table_is_generated_from_the_registry():
    start, end = "<!-- coverage:start", "<!-- coverage:end -->"
    block = README[README.index(start) : README.index(end)]
    table = block.split("\n", 1)[1]
    assert table == markdown(), "run `userpool coverage` and paste its output into the README"


def test_readme_has_exactly_two_setup_commands():
    setup = README[README.index("## Set up") : README.index("## Five-minute walkthrough")]
    commands = re.findall(r"```sh\n(.*?)\n```", setup, re.S)
    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/userpool serve",
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest",
    ]
