"""The README stands alone and its test command is CI's.

Regression (issue 8): the README linked to `../shared/DESIGN.md`, which a user's clone does
not have, and its test command ran hypothesis randomized while CI derandomized it. Checked
here: the README's two commands come first, the second sets `HYPOTHESIS_PROFILE=ci` and is
the very line `.ci/run` runs; no user document points outside the repository; every local
link (and anchor) resolves; the claim words the docs promise are the ones reports print.
"""

import re
import tomllib
from pathlib import Path

from allo_verify.report.claims import PROVED_ALL_SIZES, PROVED_INSTANCE

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))


def commands() -> list[str]:
    lines = README.read_text().splitlines()
    start = lines.index("```sh")
    return lines[start + 1: start + 3]


def test_readme_opens_with_the_two_commands() -> None:
    lines = README.read_text().splitlines()
    assert lines.index("```sh") <= 3
    install, test = commands()
    assert "pip install -e ." in install and "allo-verify verify examples/gemm.py" in install
    assert "HYPOTHESIS_PROFILE=ci python -m pytest" in test and "ruff check ." in test


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert commands()[1] in ci
    assert not any("HYPOTHESIS_PROFILE" in line and line != commands()[1]
                   for line in ci if not line.startswith("#"))


def test_the_test_command_runs_parallel_with_xdist_from_the_test_extra() -> None:
    """`-n` and `--dist` need pytest-xdist: the test extra installs it, pinned to a range
    (a fresh CI venv gets only what the extra names). Files stay whole (`loadfile`): with
    pytest 9.2, xdist 3.8's `loadgroup` no longer groups (it renames `item._nodeid`, which
    pytest 9.2 no longer reads), and module fixtures would be built in every process."""
    test = commands()[1]
    assert re.search(r"python -m pytest -n (auto|\d+) --dist loadfile$", test), test
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]["test"]
    xdist = [req for req in extra if req.startswith("pytest-xdist")]
    assert len(xdist) == 1 and ">=" in xdist[0] and "<" in xdist[0], extra


def test_no_document_points_outside_the_repository() -> None:
    for doc in [README, *DOCS]:
        text = doc.read_text()
        assert "../shared" not in text and "DESIGN.md" not in text, doc.name


def _anchors(path: Path) -> set[str]:
    heads = [ln.lstrip("#").strip() for ln in path.read_text().splitlines()
             if ln.startswith("#")]
    return {re.sub(r"[^a-z0-9 _-]", "", h.lower()).replace(" ", "-") for h in heads}


def test_every_local_link_resolves() -> None:
    assert {d.name for d in DOCS} >= {"semantics.md", "verification.md", "limits.md"}
    seen = 0
    for doc in [README, *DOCS]:
        prose = re.sub(r"```.*?```", "", doc.read_text(), flags=re.S)  # code is not links:
        prose = re.sub(r"`[^`\n]*`", "", prose)  # `gemm[T, M](A: ...)` is a call, not a link
        for target in re.findall(r"\]\(([^)]+)\)", prose):
            if re.match(r"[a-z]+://", target):
                continue
            file, _, anchor = target.partition("#")
            path = (doc.parent / file).resolve() if file else doc
            assert path.is_file(), f"{doc.name}: broken link {target}"
            if anchor:
                assert anchor in _anchors(path), f"{doc.name}: no heading for {target}"
            seen += 1
    assert seen >= 4


def test_docs_use_the_claim_words_reports_print() -> None:
    text = (ROOT / "docs" / "verification.md").read_text()
    assert PROVED_INSTANCE in text and PROVED_ALL_SIZES in text
    assert "agreed on K random inputs (seed s)" in text
    assert "proved for all input values at sizes S" in text
