"""``kubegen render`` without click (issue 12): the fast path reads its arguments as
click does, declines what it does not take, and ends every run as the click path does.

kubegen/cli/params.py declares render's parameters once; click builds the command from
them and the fast parser reads them. Here the parser is held to click's own parse of
the same arguments, and whole processes on the fast path to the same processes run
through click (``run(fast=False)``): same stdout, stderr and exit code.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest

from kubegen.cli.render import COMMAND

ROOT = Path(__file__).resolve().parents[1]

APP = """\
from kubegen import Container, Deployment, Stack

web = Deployment(name="web", containers=[Container(name="web", image="nginx:1.27", ports={"http": 80})])
stack = Stack(namespace="demo", objects=[web, web.expose(80, target_port="http")])
"""

FACTORY = """\
from kubegen import Container, Deployment, Stack

def stack(replicas: int = 2) -> Stack:
    return Stack(objects=[Deployment(name="web", replicas=replicas,
                                     containers=[Container(name="web", image="nginx:1.27")])])
"""

BROKEN = """\
from kubegen import Service, Stack
stack = Stack(objects=[Service(name="s", selector={"a": "b"}, ports=[80])])
"""


def click_params(args: list[str]) -> dict[str, object]:
    """The keywords click passes to render's callback for ``args``."""
    command = COMMAND.to_click()
    with command.make_context("render", list(args)) as ctx:
        return dict(ctx.params)


ACCEPTED = [
    ["app.py"],
    ["app.py:stack"],
    [],
    ["app.py", "-o", "out.yaml"],
    ["--output=out.yaml", "app.py"],
    ["app.py", "--set", "a=1", "--set", "b=2", "--set=c=3"],
    ["app.py", "--format", "json"],
    ["app.py", "--format=yaml", "--strict", "-v"],
    ["app.py", "--traceback", "--kube-version", "1.30"],
    ["--output-dir", "deploy", "--kustomization", "--force", "--unset", "x", "--unset", "y"],
    ["--output-dir", "deploy", "--no-kustomization", "--base", "origin/main", "--allow-recreate", "--fsync"],
    ["--recipe", "deploy"],
    ["app.py", "--ignore", "probe-missing", "--assume", "Secret/db", "--node-port-range", "30000-30100"],
    ["app.py", "--no-kustomization", "--kustomization"],
    ["app.py", "-o", "-"],
    ["app.py", "--set", "--strict"],  # an option's value may look like an option
]

DECLINED = [
    ["--help"],
    ["app.py", "-h"],
    ["--", "app.py"],
    ["app.py", "--bogus"],
    ["app.py", "-vo", "out.yaml"],  # a cluster of short options
    ["app.py", "-oout.yaml"],  # a short option's attached value
    ["app.py", "--strict=yes"],
    ["app.py", "--format", "xml"],
    ["app.py", "--output"],
    ["app.py", "other.py"],
    ["app.py", "--out", "x"],  # an abbreviation: click does not expand it, and neither does the parser
]


@pytest.mark.parametrize("args", ACCEPTED, ids=" ".join)
def test_the_fast_parser_reads_what_click_reads(args: list[str]) -> None:
    assert COMMAND.parse(args) == click_params(args)


@pytest.mark.parametrize("args", DECLINED, ids=" ".join)
def test_the_fast_parser_leaves_the_rest_to_click(args: list[str]) -> None:
    assert COMMAND.parse(args) is None


def test_every_option_of_the_click_command_is_declared_once() -> None:
    """click's command is made from the declarations: the same names, in the same order."""
    declared = [p.dest if hasattr(p, "dest") else p.name for p in COMMAND.params]  # type: ignore[union-attr]
    assert [p.name for p in COMMAND.to_click().params] == declared
    assert isinstance(COMMAND.to_click(), click.Command)


def kubegen(tmp_path: Path, args: list[str], *, fast: bool) -> tuple[int, str, str, bool]:
    """A whole ``kubegen render`` process in ``tmp_path``: exit code, stdout, stderr, and
    whether click was imported."""
    code = textwrap.dedent(f"""\
        import atexit, sys
        atexit.register(lambda: sys.__stderr__.write("\\nclick imported: %s\\n" % ("click" in sys.modules)))
        sys.argv = ["kubegen", "render", *{args!r}]
        from kubegen.cli import run
        run(fast={fast!r})
        """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    err, _, flag = done.stderr.rpartition("\nclick imported: ")
    return done.returncode, done.stdout, err, flag.strip() == "True"


CASES = [
    (["app.py"], 0, False),
    (["app.py", "--format", "json", "--strict"], 0, False),
    (["factory.py:stack", "--set", "replicas=3", "-o", "out.yaml"], 0, False),
    (["broken.py"], 1, True),  # findings: exit 1 (click reports the exit)
    (["missing.py"], 1, True),
    ([], 2, True),  # Missing argument 'APP', raised by the command
    (["app.py", "--set", "novalue"], 2, True),
    (["app.py", "--output-dir", "d", "--format", "json"], 2, True),
    (["app.py", "--node-port-range", "5-1"], 2, True),
    (["app.py", "--format", "xml"], 2, True),  # declined: click parses and refuses
    (["app.py", "--bogus"], 2, True),
    (["--help"], 0, True),
]


@pytest.mark.parametrize(("args", "code", "click_needed"), CASES, ids=lambda a: " ".join(a) if isinstance(a, list) else "")
def test_a_fast_run_ends_as_the_click_run_does(
    tmp_path: Path, args: list[str], code: int, click_needed: bool
) -> None:
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "factory.py").write_text(FACTORY)
    (tmp_path / "broken.py").write_text(BROKEN)
    fast = kubegen(tmp_path, args, fast=True)
    if (tmp_path / "out.yaml").exists():
        (tmp_path / "out.yaml").rename(tmp_path / "fast.yaml")
    slow = kubegen(tmp_path, args, fast=False)
    assert fast[:3] == slow[:3]
    assert fast[0] == code, fast[2]
    assert "Traceback" not in fast[2]
    assert fast[3] is click_needed, "a clean render must not import click; a message may"
    assert slow[3] is True
    if (tmp_path / "fast.yaml").exists():
        assert (tmp_path / "fast.yaml").read_text() == (tmp_path / "out.yaml").read_text() != ""
