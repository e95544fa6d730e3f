"""Library entry points: the same operations the CLI runs, as plain functions.

>>> text = kubegen.render(stack)               # checked, ordered YAML (raises on errors)
>>> dicts = kubegen.render_dicts(stack)        # the same objects as dicts
>>> kubegen.write_file(stack, "out/prod.yaml")  # checked, then written atomically
>>> findings = kubegen.check_stack(stack)      # every finding, errors and warnings
>>> kubegen.render(stack, kube_version="1.30")  # checked for a Kubernetes 1.30 API server

Every function that writes checks first (``check=False`` says not to, in so many
words). Errors raise :class:`~kubegen.errors.FindingsError`, whose text lists every
finding; warnings never get lost: each is issued as a Python warning of category
:class:`~kubegen.errors.FindingWarning`, pointing at the line of your app that made
the object (``strict=True`` makes them errors instead). ``kube_version`` (``"1.30"``;
or ``options.kube_version``) is the Kubernetes release whose API server the checks
answer for; default: the newest kubegen supports.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any, Literal

import attrs

from kubegen.checks import Assumed, CheckOptions, Finding, errors, run_checks, summary
from kubegen.errors import FindingsError, FindingWarning, KubegenError, OutputError
from kubegen.location import Location
from kubegen.manifest import Manifest, compile_stack
from kubegen.model.stack import Stack
from kubegen.order import apply_order
from kubegen.writer import dump_all, dump_json

Stacks = Stack | Sequence[Stack]
Target = Stack | Iterable[Stack | Manifest | Mapping[str, Any]]
"""What the writing functions take: a Stack, several, or manifests (or plain dicts)."""
Format = Literal["yaml", "json"]

_LIBRARY = Location("<library>")


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Rendering allocates many small acyclic dicts and strings; the cyclic collector
    would rescan the ever-growing heap for nothing (a third of the time at 10,000
    services). Reference counting still frees everything; the collector's state is
    restored afterwards.

    The collector counts allocations while it is off: enabled again as it was, it would
    at once walk every object made meanwhile (most about to be freed by reference
    counting), a tenth of an import of 10,000 objects. So what is alive then is moved to
    the oldest generation first (``gc.freeze()`` + ``gc.unfreeze()``: two list moves,
    and the count starts again at zero); the next full collection still sees it all.
    Left out when the process froze objects of its own (they must stay frozen)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
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


def manifests_of(target: Target) -> list[Manifest]:
    """The manifests of Stacks (compiled), of manifests (as they are) or of plain dicts."""
    if isinstance(target, Stack):
        return compile_stack(target)
    manifests: list[Manifest] = []
    for item in target:
        if isinstance(item, Stack):
            manifests.extend(compile_stack(item))
        elif isinstance(item, Manifest):
            manifests.append(item)
        elif isinstance(item, Mapping):
            manifests.append(Manifest(dict(item), _LIBRARY))
        else:
            raise KubegenError(
                f"expected Stacks, manifests or manifest dicts, got {type(item).__name__} ({item!r:.60})"
            )
    return manifests


def assumptions(target: Target) -> frozenset[Assumed]:
    """What the stacks' ``External(...)`` declarations say the cluster has (an External
    without a namespace is in its Stack's namespace, or in any when the Stack has none)."""
    found = set()
    stacks = [target] if isinstance(target, Stack) else [s for s in target if isinstance(s, Stack)]
    for stack in stacks:
        for ext in stack.externals:
            keys = None if ext.keys is None else frozenset(ext.keys)
            labels = None if ext.labels is None else tuple(ext.labels.items())
            found.add(Assumed(ext.kind, ext.name, ext.namespace or stack.namespace, keys, labels, ext.ports,
                              ext.source))
    return frozenset(found)


def options_for(target: Target, options: CheckOptions | None = None, kube_version: str | None = None) -> CheckOptions:
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


def warn(findings: Iterable[Finding]) -> None:
    """Issue every warning finding as a :class:`FindingWarning`, at the line of the user's
    app that made the object (shown on stderr by default; never merged with an
    earlier identical one)."""
    import warnings

    for finding in findings:
        if finding.severity == "warning":
            where = finding.location
            warnings.warn_explicit(FindingWarning.of(finding), FindingWarning, where.file, where.line)


def checked(
    target: Target, options: CheckOptions | None = None, *, strict: bool = False, kube_version: str | None = None
) -> list[Manifest]:
    """The manifests of ``target``, checked, in apply order: :class:`FindingsError` on
    errors (and, ``strict``, on warnings); warnings issued as :class:`FindingWarning`."""
    if not isinstance(target, Stack):
        target = list(target)  # read twice: for the manifests and for the stacks' External declarations
    options = options_for(target, options, kube_version)
    ordered, findings = checked_manifests(manifests_of(target), options, strict=strict)
    warn(findings)
    return ordered


def render_dicts(
    target: Stacks, options: CheckOptions | None = None, *, strict: bool = False, kube_version: str | None = None
) -> list[dict[str, Any]]:
    """The checked objects of the stack(s) as dicts, in apply order (warnings: see the module)."""
    return [m.obj for m in checked(target, options, strict=strict, kube_version=kube_version)]


def write_manifests(
    manifests: Target, format: Format = "yaml", *, check: bool = True, options: CheckOptions | None = None,
    strict: bool = False, kube_version: str | None = None,
) -> str:
    """YAML (documents separated by ``---``) or JSON (a ``List`` when several).

    Checks first, like :func:`render`, and writes in apply order; ``check=False``
    writes the manifests unchecked, in the order given.
    """
    items = checked(manifests, options, strict=strict, kube_version=kube_version) if check else (
        manifests_of(manifests)
    )
    objs = [m.obj for m in items]
    if format == "json":
        return dump_json(objs)  # no objects: an empty List, still JSON
    return dump_all(objs)


def render(
    target: Stacks, *, format: Format = "yaml", options: CheckOptions | None = None, strict: bool = False,
    kube_version: str | None = None,
) -> str:
    """Compile, check, order and write the stack(s).

    Raises :class:`kubegen.errors.FindingsError` when the checks find errors: its
    text lists every finding (``file:line: severity rule: message``, each at the
    app line that made the object), ``findings`` holds them. Warnings are issued as
    :class:`~kubegen.errors.FindingWarning` Python warnings. ``kube_version``: see the module.
    """
    with no_cyclic_gc():
        return write_manifests(_stacks(target), format, options=options, strict=strict, kube_version=kube_version)


def write_file(
    target: Target, to: str | os.PathLike[str] | IO[str], *, format: Format = "yaml", check: bool = True,
    options: CheckOptions | None = None, strict: bool = False, kube_version: str | None = None,
) -> str:
    """Render ``target`` (checked, unless ``check=False``) and write it to ``to``: a path,
    replaced atomically (never half-written; nothing written when a check fails), or
    ``"-"`` (stdout) or an open text stream. Returns the text written."""
    from kubegen.output import write_text

    with no_cyclic_gc():
        text = write_manifests(target, format, check=check, options=options, strict=strict, kube_version=kube_version)
    if isinstance(to, (str, os.PathLike)):
        write_text(os.fspath(to), text)
        return text
    try:
        to.write(text)
        to.flush()
    except OSError as exc:
        raise OutputError(f"cannot write the manifests: {exc.strerror or exc}") from None
    return text
