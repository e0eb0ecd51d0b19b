"""The README's first lines are the commands a new user runs; CI must run the same test command."""
from tests.conftest import ROOT


def readme_commands() -> list[str]:
    lines = (ROOT / "README.md").read_text().splitlines()
    return [l.strip() for l in lines[:6] if l.startswith("    ")]


def test_readme_starts_with_serve_and_test_commands():
    cmds = readme_commands()
    assert len(cmds) == 2
    assert "injector serve" in cmds[0]
    assert "pytest" in cmds[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert readme_commands()[1] in [l.strip() for l in ci]
