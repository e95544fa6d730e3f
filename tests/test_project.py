"""The project around the code: how it is installed (under a name nobody else owns),
how CI runs the suite (every tool installed, no skip tolerated), shell completion."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

DISTRIBUTION = "kubegen-dsl"
# "kubegen" on PyPI is an unrelated project: installing it by that name is a supply-chain trap.
TRAP = re.compile(r"pip3?\s+install\s+(?:-\S+\s+)*[\"']?kubegen(?![-_.\w])", re.I)
TEXT_SUFFIXES = {".md", ".py", ".j2", ".yaml", ".yml", ".toml", ".txt", ".cfg", ".in", ".sh", ""}


def repo_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    names = listed.stdout.splitlines() if listed.returncode == 0 else [
        str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if ".git" not in p.parts]
    own = Path(__file__).resolve()
    return [ROOT / n for n in names if not n.startswith("tests/data/") and (ROOT / n).is_file()
            and (ROOT / n).suffix in TEXT_SUFFIXES and (ROOT / n).resolve() != own]


def test_the_distribution_name_is_ours_and_the_command_stays_kubegen() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^name = "([^"]+)"$', pyproject, re.M).group(1) == DISTRIBUTION  # type: ignore[union-attr]
    assert re.search(r'^\[project\.scripts\]\nkubegen = "kubegen\.cli:\w+"$', pyproject, re.M)


def test_nothing_tells_users_to_pip_install_someone_elses_kubegen() -> None:
    offenders = []
    for path in repo_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{path.relative_to(ROOT)}: {m.group()}" for m in TRAP.finditer(text)]
        if "pypi.org/project/kubegen/" in text:
            offenders.append(f"{path.relative_to(ROOT)}: links PyPI's unrelated kubegen project")
    assert offenders == []
    assert TRAP.search("pip install kubegen") and TRAP.search('pip install -U "kubegen==1.0"')
    assert not TRAP.search("pip install kubegen-dsl") and not TRAP.search("pip install kubegen_dsl")


def test_generated_files_name_the_right_distribution(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kubegen.cli import main

    result = CliRunner().invoke(main, ["init", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    readme = (tmp_path / "demo" / "README.md").read_text()
    assert f"pip install {DISTRIBUTION}" in readme and not TRAP.search(readme)


def readme_setup_lines() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.match(r"```sh\n(.*?)```\n", text, re.S)
    assert block, "the README starts with its set-up commands"
    return block.group(1).splitlines()


def test_readme_starts_with_two_commands_and_ci_runs_the_test_one() -> None:
    render, test = readme_setup_lines()
    assert render == "pip install . && kubegen render examples/shop.py"
    assert test.startswith("tools/install-test-tools && ") and test.endswith("python -m pytest -n 2")
    ci = (ROOT / ".ci" / "run").read_text().rstrip("\n").splitlines()
    assert ci[-1] == test
    assert "export KUBEGEN_CI=1" in ci
    assert os.access(ROOT / "tools" / "install-test-tools", os.X_OK)
    installer = (ROOT / "tools" / "install-test-tools").read_text()
    for needed in ("graphviz", "librsvg2-bin", "mermaid jsdom", "kubectl", "patch"):
        assert needed in installer


def test_under_kubegen_ci_a_skip_is_a_failure(tmp_path: Path) -> None:
    (tmp_path / "test_tools.py").write_text(
        "import pytest\n\n"
        "def test_needs_a_tool():\n    pytest.skip('rsvg-convert is not installed')\n\n"
        "def test_fine():\n    pass\n"
    )

    def pytest_run(ci: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "KUBEGEN_CI": ci, "PYTHONPATH": str(ROOT / "tests")}
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "ci_skips", "-p", "no:cacheprovider",
                               str(tmp_path)], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)

    strict = pytest_run("1")
    assert strict.returncode == 1, strict.stdout
    assert "skipped under KUBEGEN_CI=1, which counts as a failure: rsvg-convert is not installed" in strict.stdout
    assert "1 failed, 1 passed" in strict.stdout
    relaxed = pytest_run("")
    assert relaxed.returncode == 0 and "1 passed, 1 skipped" in relaxed.stdout


def complete(words: str, env_name: str = "_KUBEGEN_COMPLETE", shell: str = "bash") -> str:
    env = {**os.environ, env_name: f"{shell}_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    done = subprocess.run([sys.executable, "-m", "kubegen"], capture_output=True, text=True, env=env, timeout=60,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_shell_completion_as_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'eval "$(_KUBEGEN_COMPLETE=bash_source kubegen)"' in readme
    source = subprocess.run([sys.executable, "-m", "kubegen"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "_KUBEGEN_COMPLETE": "bash_source"})
    assert "_kubegen_completion()" in source.stdout and "complete -o nosort -F _kubegen_completion kubegen" in \
        source.stdout
    assert complete("kubegen re") == "plain,render\n"
    assert complete("kubegen render --form") == "plain,--format\n"
    assert complete("kubegen render --format ").split() == ["plain,yaml", "plain,json"]
    assert complete("kubegen render exa") == "file,exa\n"  # APP completes as a path
