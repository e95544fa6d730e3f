"""Library entry points: the same operations the CLI runs, as plain functions.

>>> text = kubegen.render(stack)            # checked, ordered YAML (raises on errors)
>>> dicts = kubegen.render_dicts(stack)     # the same objects as dicts
>>> findings = kubegen.check_stack(stack)   # every finding, errors and warnings
>>> kubegen.render(stack, kube_version="1.30")  # checked for a Kubernetes 1.30 API server
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal

import attrs

from kubegen.checks import Assumed, CheckOptions, Finding, errors, run_checks, summary
from kubegen.errors import FindingsError, KubegenError
from kubegen.manifest import Manifest, compile_stack
from kubegen.model.stack import Stack
from kubegen.order import apply_order
from kubegen.writer import dump_all, dump_json

Stacks = Stack | Sequence[Stack]
Format = Literal["yaml", "json"]


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Rendering allocates many small acyclic dicts and strings; the cyclic collector
    would rescan the ever-growing heap for nothing (a third of the time at 10,000
    services). Reference counting still frees everything; the collector's state is
    restored afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _stacks(target: Stacks) -> list[Stack]:
    if isinstance(target, Stack):
        return [target]
    stacks = list(target)
    for item in stacks:
        if not isinstance(item, Stack):
            raise KubegenError(f"expected a Stack or a list of Stacks, got {type(item).__name__}")
    return stacks


def compile_stacks(target: Stacks) -> list[Manifest]:
    """Every manifest of one Stack or several, unchecked and in the order added."""
    manifests: list[Manifest] = []
    for stack in _stacks(target):
        manifests.extend(compile_stack(stack))
    return manifests


def assumptions(target: Stacks) -> frozenset[Assumed]:
    """What the stacks' ``External(...)`` declarations say the cluster has (an External
    without a namespace is in its Stack's namespace, or in any when the Stack has none)."""
    found = set()
    for stack in _stacks(target):
        for ext in stack.externals:
            keys = None if ext.keys is None else frozenset(ext.keys)
            labels = None if ext.labels is None else tuple(ext.labels.items())
            found.add(Assumed(ext.kind, ext.name, ext.namespace or stack.namespace, keys, labels, ext.ports,
                              ext.source))
    return frozenset(found)


def options_for(target: Stacks, options: CheckOptions | None = None, kube_version: str | None = None) -> CheckOptions:
    """``options`` (default: the defaults) plus the stacks' External declarations, answering
    for ``kube_version`` (``"1.30"``) when one is given."""
    options = options or CheckOptions()
    if kube_version is not None:
        options = attrs.evolve(options, kube_version=kube_version)
    extra = assumptions(target)
    return attrs.evolve(options, assume=options.assume | extra) if extra else options


def check_stack(
    target: Stacks, options: CheckOptions | None = None, *, kube_version: str | None = None
) -> list[Finding]:
    """All findings (errors and warnings) for the stack(s), sorted by file and line.
    ``kube_version``: the Kubernetes release to check for (default: the newest supported)."""
    return run_checks(compile_stacks(target), options_for(target, options, kube_version))


def checked_manifests(
    manifests: Iterable[Manifest], options: CheckOptions | None = None, *, strict: bool = False
) -> tuple[list[Manifest], list[Finding]]:
    """Run the checks; raise :class:`FindingsError` if any error (or, ``strict``, any
    warning) was found; return the manifests in apply order and the findings."""
    items = list(manifests)
    findings = run_checks(items, options)
    failing = errors(findings, strict=strict)
    if failing:
        raise FindingsError(f"{summary(findings)}: nothing was written", findings)
    return apply_order(items), findings


def render_dicts(
    target: Stacks, options: CheckOptions | None = None, *, strict: bool = False, kube_version: str | None = None
) -> list[dict[str, Any]]:
    """The checked objects of the stack(s) as dicts, in apply order."""
    ordered, _ = checked_manifests(compile_stacks(target), options_for(target, options, kube_version), strict=strict)
    return [m.obj for m in ordered]


def write_manifests(manifests: Sequence[Manifest], format: Format = "yaml") -> str:
    """YAML (documents separated by ``---``) or JSON (a ``List`` when several)."""
    objs = [m.obj for m in manifests]
    if format == "json":
        return dump_json(objs) if objs else ""
    return dump_all(objs)


def render(
    target: Stacks, *, format: Format = "yaml", options: CheckOptions | None = None, strict: bool = False,
    kube_version: str | None = None,
) -> str:
    """Compile, check, order and write the stack(s).

    ``kube_version`` (``"1.30"``; or ``options.kube_version``): the Kubernetes release
    whose API server the checks answer for. Default: the newest kubegen supports.

    Raises :class:`kubegen.errors.FindingsError` (its ``findings`` lists every
    problem, each with the app.py line) when the checks find errors.
    """
    with no_cyclic_gc():
        ordered, _ = checked_manifests(compile_stacks(target), options_for(target, options, kube_version),
                                       strict=strict)
        return write_manifests(ordered, format)
