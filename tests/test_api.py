"""The library surface: what `import kubegen` offers deploy scripts, and what it costs."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import kubegen

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", sorted(kubegen._LAZY))
def test_lazy_library_functions_resolve(name: str) -> None:
    assert callable(getattr(kubegen, name))


def test_import_kubegen_loads_no_reader_templates_or_gitops() -> None:
    code = ("import sys, kubegen; from kubegen import *; "
            "print(sorted(m for m in ('yaml', 'jinja2', 'kubegen.gitops', 'kubegen.lint', 'ruamel') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'kubegen' has no attribute 'rendr'"):
        kubegen.rendr  # noqa: B018


def test_lint_and_render_agree_through_the_library(tmp_path: Path) -> None:
    stack = kubegen.Stack(namespace="demo")
    web = stack.add(kubegen.Deployment(name="web", containers=[
        kubegen.Container(name="web", image="nginx:1.27", ports={"http": 80})]))
    stack.add(web.expose(80, target_port="http"))
    out = tmp_path / "out.yaml"
    out.write_text(kubegen.render(stack))
    assert kubegen.lint_paths([str(out)]) == []


def test_render_loads_only_what_it_needs() -> None:
    # Start-up is measured in bench/bench_startup.py; this keeps its causes away: a
    # render to stdout of an app that uses a few builders imports neither the YAML
    # reader, exact fractions, hashing, base64, jinja2, the gitops writer nor builders
    # the app does not use. (JSON it does: the builders' enumerations come from the
    # API data file.)
    code = (
        "import sys\n"
        "sys.argv = ['kubegen', 'render', 'examples/shop.py']\n"
        "from kubegen.cli import main\n"
        "try:\n    main(prog_name='kubegen')\nexcept SystemExit:\n    pass\n"
        "heavy = ('yaml', 'fractions', 'decimal', 'hashlib', 'secrets', 'jinja2', 'ruamel', 'base64',\n"
        "         'kubegen.gitops', 'kubegen.importer', 'kubegen.reader', 'kubegen.reader_lines',\n"
        "         'kubegen.model.rbac', 'kubegen.model.job', 'kubegen.model.statefulset', 'kubegen.model.autoscaling')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stderr.strip().splitlines()[-1] == "[]", out.stderr


def _collections_right_after(block: Any) -> list[int]:
    """The generations the cyclic collector walked during ``block`` and the first few
    hundred allocations after it."""
    started: list[int] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(callback)
    try:
        block()
        kept = [[i] for i in range(300)]
    finally:
        gc.callbacks.remove(callback)
    assert len(kept) == 300
    return started


def test_no_cyclic_gc_leaves_no_collection_pending_behind_it() -> None:
    """Inside, nothing is collected; leaving, the objects made inside are not walked at once
    (they went to the oldest generation): no collection in the next allocations."""
    from kubegen.api import no_cyclic_gc

    made: list[Any] = []

    def block() -> None:
        with no_cyclic_gc():
            assert not gc.isenabled()
            made.extend({"n": [i]} for i in range(50_000))

    assert gc.isenabled()
    assert _collections_right_after(block) == []
    assert gc.isenabled() and gc.get_count()[0] < 700 and len(made) == 50_000


def test_no_cyclic_gc_restores_the_collector_as_it_was() -> None:
    from kubegen.api import no_cyclic_gc

    gc.disable()
    try:
        with no_cyclic_gc():
            pass
        assert not gc.isenabled()  # off before: off after
    finally:
        gc.enable()
    frozen = [[i] for i in range(100)]
    gc.freeze()  # a process that froze its own objects (before fork, say) keeps them frozen
    try:
        count = gc.get_freeze_count()
        with no_cyclic_gc():
            frozen.append([0])
        assert gc.get_freeze_count() == count and gc.isenabled()
    finally:
        gc.unfreeze()
