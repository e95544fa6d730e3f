"""GitOps output: one file per object in a directory, written atomically, checked for drift.

>>> result = kubegen.gitops.write_dir(manifests, "deploy/prod", source="app.py --set env=prod")
>>> check = kubegen.gitops.check_dir(manifests, "deploy/prod", source="app.py --set env=prod")
>>> check.ok, check.diff

``manifests`` are :class:`kubegen.Manifest` objects (e.g. from
:func:`kubegen.api.checked_manifests`) or plain dicts. See :mod:`kubegen.gitops.layout`
for the file layout, :mod:`kubegen.gitops.commit` for how a write is all or nothing,
:mod:`kubegen.gitops.record` for what ``.kubegen-manifest`` remembers, and
:mod:`kubegen.gitops.immutable` for the ``immutable-field`` errors and
``node-port-freed`` warnings (against the files replaced, or ``base=`` a git revision).
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import attrs

from kubegen.api import Target, checked_manifests, manifests_of, options_for, warn
from kubegen.checks import OUTPUT_DIR_RULES as RULE_IDS
from kubegen.checks import CheckOptions, Finding, errors, summary
from kubegen.errors import FindingsError, KubegenError
from kubegen.gitops.base import files_at
from kubegen.gitops.commit import commit, locked, recover
from kubegen.gitops.drift import DirCheck, Drift, check_dir, diff_dir
from kubegen.gitops.immutable import live_findings
from kubegen.gitops.layout import (
    KUSTOMIZATION_NAME,
    RECORD_NAME,
    LayoutError,
    object_path,
    sha256,
    source_label,
)
from kubegen.gitops.plan import Plan, make_plan
from kubegen.gitops.record import Recipe, read_record
from kubegen.model.stack import Stack

__all__ = [
    "KUSTOMIZATION_NAME", "RECORD_NAME", "RULE_IDS", "DirCheck", "Drift", "LayoutError", "Plan", "Recipe",
    "WriteResult", "check_dir", "diff_dir", "live_findings", "make_plan", "object_path", "read_record",
    "recover_dir", "source_label", "write_dir",
]


@attrs.frozen(kw_only=True)
class WriteResult:
    """What :func:`write_dir` did (paths relative to ``directory``).

    - ``written``: files created or rewritten (the ownership record included).
    - ``removed``: files kubegen wrote earlier and no longer produces.
    - ``unchanged``: files that already had the right bytes.
    - ``overwritten_edits``: owned files that had been edited by hand (now replaced or removed).
    - ``warnings``: the checks' warnings, ``node-port-freed`` findings (and ``immutable-field``
      ones with ``allow_recreate``).
    - ``recovered``: a write that had been killed part way was rolled back first.
    """

    directory: str
    written: list[str]
    removed: list[str]
    unchanged: list[str]
    overwritten_edits: list[str]
    warnings: list[Finding]
    recovered: bool = False


def write_dir(
    manifests: Target,
    directory: str,
    *,
    source: str = "",
    kustomization: bool = False,
    strict: bool = False,
    ignore: Iterable[str] = (),
    durable: bool = False,
    shown: str | None = None,
    recipe: Recipe | None = None,
    base: str | None = None,
    allow_recreate: bool = False,
    check: bool = True,
    options: CheckOptions | None = None,
) -> WriteResult:
    """Write one file per object into ``directory``, all or nothing.

    ``manifests``: a Stack, several, or manifests (or plain dicts). They are checked
    first, as :func:`kubegen.render` checks (errors raise
    :class:`~kubegen.errors.FindingsError` and nothing is written; warnings are
    issued as :class:`~kubegen.errors.FindingWarning` and returned too);
    ``check=False`` writes them unchecked; ``options`` and ``ignore`` (rule ids not to
    report) apply to them.

    Removes files kubegen wrote on an earlier run that are no longer produced and
    never touches files it did not write (raises if one sits where it must write).
    ``recipe`` (:class:`~kubegen.gitops.record.Recipe`) says how the directory is
    rendered and is kept in its record; without one, ``source`` names the input in
    every file's header (see :func:`source_label`) and ``kustomization`` also writes
    ``kustomization.yaml``.

    Each object is compared with its previous state, the file it replaces (or the
    directory as committed at git revision ``base``): a change a live object rejects
    (``immutable-field``) raises :class:`~kubegen.errors.FindingsError` and nothing
    is written, unless ``allow_recreate`` (then it is a warning); a freed node port
    is a warning. Warnings are returned; with ``strict`` they raise too. The write
    is all or nothing if the process is killed at any moment; ``durable`` also
    syncs the file system at the commit steps, so it survives a power loss (slower).


    ``directory`` may be a symbolic link (to another file system, too): kubegen
    works in the folder it points to. Nothing below it is ever read, written or
    removed through a link, and a path render must write or remove that is not a
    regular file is an error. ``shown`` is how messages name the directory.
    """
    found: list[Finding] = []
    if not isinstance(manifests, Stack):
        manifests = list(manifests)
    if check:
        skip = frozenset(ignore)
        options = attrs.evolve(options or CheckOptions(), ignore=(options.ignore if options else frozenset()) | skip)
        items, found = checked_manifests(manifests_of(manifests), options_for(manifests, options), strict=strict)
        warn(found)
        found = [f for f in found if f.severity == "warning"]
    else:
        items = manifests_of(manifests)
    shown = shown or directory
    directory = os.path.realpath(directory)
    recipe = recipe or Recipe(label=source, kustomization=kustomization)
    previous = files_at(directory, base, shown) if base is not None else None
    with locked(directory):
        recovered = recover(directory)
        plan = make_plan(items, directory, recipe=recipe, shown=shown)
        plan.refuse_irregular()
        conflicts = plan.conflicts
        if conflicts:
            listing = ", ".join(plan.show(p) for p in conflicts)
            raise KubegenError(
                f"{listing}: not written by kubegen (not in {plan.show(RECORD_NAME)}), and render would "
                "overwrite it; move it away (or delete it) and render again. Nothing was written."
            )
        changed = plan.changed
        findings = live_findings(plan, previous, allow_recreate=allow_recreate, ignore=ignore)
        if errors(findings, strict=strict):
            why = " (--strict)" if strict and not errors(findings) else ""
            raise FindingsError(f"{summary(findings)}{why}: nothing was written", findings)
        stale = plan.stale
        edited = [
            p for p in [*changed, *stale]
            if p in plan.owned and plan.current.get(p) is not None and sha256(plan.current[p] or b"") != plan.owned[p]
        ]
        if changed or stale:
            commit(directory, plan.files, changed, stale, durable=durable)
    rewritten = set(changed)
    unchanged = [p for p in plan.files if p not in rewritten]
    return WriteResult(
        directory=shown, written=changed, removed=stale, unchanged=unchanged,
        overwritten_edits=edited, warnings=[*found, *findings], recovered=recovered,
    )


def recover_dir(directory: str) -> bool:
    """Roll back a write into ``directory`` that was killed part way (True if there was one)."""
    directory = os.path.realpath(directory)
    with locked(directory):
        return recover(directory)
