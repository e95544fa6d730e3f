"""Lint streams: each batch of objects is checked as it is read and dropped unless a
whole-stack rule reads it, so memory follows the largest document and the catalogue of
names, not the file. Streaming must change nothing but memory: the same findings as
checking every object whole, in one batch. Memory is counted (tracemalloc), not timed;
the 62 MiB figure and the time against PyYAML's C loader are in bench/bench_lint.py."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from kubegen import checks, lint
from kubegen.checks import CheckOptions
from kubegen.lint import lint_paths
from kubegen.reader import read_paths

DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


class Everything(frozenset):  # type: ignore[type-arg]
    """A set of kinds that holds every kind: the whole-stack rules then keep every object."""

    def __contains__(self, item: object) -> bool:
        return True


def keep_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    rules, _ = checks._stack_rules()
    monkeypatch.setattr(checks, "_stack_rules", lambda: (rules, Everything()))


INPUTS = {
    "corpus": [str(DATA / "corpus")],
    "live dumps": [str(DATA / "live")],
    "rendered examples": [str(p) for p in sorted((EXAMPLES / "shop" / "rendered").rglob("*.yaml"))],
}


@pytest.mark.parametrize("name", sorted(INPUTS))
@pytest.mark.parametrize("partial", [False, True])
def test_streaming_finds_exactly_what_checking_everything_whole_finds(
    name: str, partial: bool, monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths = INPUTS[name]
    options = CheckOptions(partial=partial)
    monkeypatch.setattr(lint, "BATCH", 7)  # many batches, a few objects each
    streamed = [f.format() for f in lint_paths(paths, options)]
    with monkeypatch.context() as whole:
        keep_everything(whole)
        read = read_paths(paths)
        everything = [f.format() for f in sorted([*read.problems, *checks.run_checks(read.manifests, options)],
                                                  key=lambda f: (f.location.file, f.location.line, f.rule,
                                                                 f.message))]
    assert streamed == everything
    assert streamed or name == "live dumps", "the inputs hold findings, so the comparison compares something"


def config_maps(path: Path, n: int) -> Path:
    # Names quoted: the reader's caches of plain scalars are bounded but would fill with
    # unique names first; what is measured is what grows without bound.
    path.write_text("".join(
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 'settings-{i:06d}'\ndata:\n"
        f"  config.yaml: |\n    level: info\n    id: {i}\n" for i in range(n)
    ))
    return path


def peak_bytes(run: Any) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_per_object_is_the_catalogue_not_the_object(tmp_path: Path) -> None:
    small = config_maps(tmp_path / "small.yaml", 2_000)
    large = config_maps(tmp_path / "large.yaml", 8_000)
    lint_paths([str(small)])  # first use: imports and caches
    per_object = (peak_bytes(lambda: lint_paths([str(large)])) - peak_bytes(lambda: lint_paths([str(small)]))) / 6_000
    # kept whole, each of these objects costs some 1,800 bytes (dicts, strings, its text);
    # its catalogue entry (name, location, data keys) a fifth of that
    assert per_object < 500, f"{per_object:.0f} bytes more per object"
