"""``kubegen check``: is a directory exactly what render would write? (the GitOps drift gate)"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from kubegen.checks import Finding, errors, summary
from kubegen.gitops.base import files_at
from kubegen.gitops.commit import busy, interrupted
from kubegen.gitops.immutable import live_findings
from kubegen.gitops.layout import KUSTOMIZATION_NAME, RECORD_NAME, sha256
from kubegen.gitops.plan import Plan, make_plan
from kubegen.gitops.record import Recipe
from kubegen.manifest import Manifest


@attrs.frozen(kw_only=True)
class Drift:
    """One file that is not what render would write.

    ``state`` is one of ``missing``, ``stale`` (kubegen wrote it, render now writes
    something else), ``hand-edited`` (changed since kubegen wrote it), ``extra``
    (kubegen wrote it, render no longer produces it), ``not-owned`` (a file kubegen
    did not write sits where render writes), ``not-regular`` (a symbolic link,
    directory, FIFO, ... where render writes or removes a file: never read, never
    shown), ``interrupted`` (a killed write), ``busy`` (a render is writing the
    directory right now).
    """

    path: str
    state: str
    message: str


@attrs.frozen(kw_only=True)
class DirCheck:
    """The result of comparing a directory with what render would write.

    ``findings``: changes a live object rejects or that free a node port, against
    the previous state (see :func:`check_dir`).
    """

    directory: str
    drift: list[Drift]
    diff: list[str]
    findings: list[Finding] = attrs.field(factory=list)

    @property
    def ok(self) -> bool:
        """True when the directory is up to date and no change is one a live object rejects."""
        return not self.drift and not errors(self.findings)

    def summary(self) -> str:
        """One line: how many files are in which state."""
        if self.ok:
            return f"{self.directory} is up to date"
        if not self.drift:
            return f"{self.directory} is up to date, but {summary(self.findings)} against what was deployed"
        counts: dict[str, int] = {}
        for item in self.drift:
            counts[item.state] = counts.get(item.state, 0) + 1
        parts = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        return f"{self.directory} is not what render would write: {parts}"


_MESSAGES = {
    "missing": "missing: render would write it",
    "stale": "stale: kubegen wrote it, but render now writes different content",
    "hand-edited": "edited by hand since kubegen wrote it: render would overwrite it",
    "extra": "kubegen wrote it on an earlier run, but render no longer produces it: render would remove it",
    "extra-edited": "kubegen wrote it on an earlier run (and it was edited since), but render no longer "
                    "produces it: render would remove it",
    "not-owned": "kubegen did not write this file, but render would write here: move it away "
                 "(render refuses to overwrite it)",
    "not-regular": "kubegen writes regular files only, and never reads, writes or removes through a link: "
                   "remove it (render refuses to write until then)",
}


def check_dir(
    manifests: Iterable[Manifest | Mapping[str, Any]], directory: str, *, source: str = "",
    kustomization: bool = False, shown: str | None = None, recipe: Recipe | None = None,
    base: str | None = None, allow_recreate: bool = False, ignore: Iterable[str] = (),
) -> DirCheck:
    """Compare ``directory`` with what :func:`kubegen.gitops.write_dir` would write (read-only).

    Files kubegen does not own are ignored unless render would write over them. A
    path that is not a regular file (a symbolic link above all) is reported as
    such and never read: its target's contents never reach the diff. The objects
    are also judged against their previous state as render judges them
    (``findings``: ``immutable-field`` errors, ``node-port-freed`` warnings), the
    files in ``directory`` or, with ``base``, the directory at that git revision.
    """
    shown = shown or directory
    directory = os.path.realpath(directory)
    recipe = recipe or Recipe(label=source, kustomization=kustomization)
    previous = files_at(directory, base, shown) if base is not None else None
    plan = make_plan(manifests, directory, recipe=recipe, shown=shown)
    findings = live_findings(plan, previous, allow_recreate=allow_recreate, ignore=ignore)
    if busy(directory):
        drift = [Drift(path=directory, state="busy",
                       message="a kubegen render is writing this directory right now; check again when it is done")]
    else:
        drift = [
            Drift(path=journal, state="interrupted",
                  message="a kubegen write was killed part way; render again to roll it back and rewrite")
            for journal in interrupted(directory)
        ]
    diff: list[str] = []
    for path, what in sorted(plan.irregular.items()):
        drift.append(Drift(path=path, state="not-regular", message=f"is {what}; {_MESSAGES['not-regular']}"))
    for path, data in plan.files.items():
        current = plan.current.get(path)
        if current == data or path in plan.irregular:
            continue
        state = _state(plan, path, current)
        drift.append(Drift(path=path, state=state, message=_MESSAGES[state]))
        diff.extend(unified(path, current, data))
    for path in plan.stale:
        current = plan.current[path]
        edited = current is not None and sha256(current) != plan.owned[path]
        message = _MESSAGES["extra-edited" if edited else "extra"]
        if path == KUSTOMIZATION_NAME:
            message += " (it was rendered with --kustomization; leave --no-kustomization out to keep it)"
        drift.append(Drift(path=path, state="extra", message=message))
        diff.extend(unified(path, current, None))
    return DirCheck(directory=shown, drift=drift, diff=diff, findings=findings)


def diff_dir(
    manifests: Iterable[Manifest | Mapping[str, Any]], directory: str, *, source: str = "",
    kustomization: bool = False, recipe: Recipe | None = None,
) -> list[str]:
    """The unified diff (lines ending in newline) that would make ``directory`` up to date."""
    return check_dir(manifests, directory, source=source, kustomization=kustomization, recipe=recipe).diff


def _state(plan: Plan, path: str, current: bytes | None) -> str:
    if current is None:
        return "missing"
    if path == RECORD_NAME:
        return "stale"
    if path not in plan.owned:
        return "not-owned"
    return "hand-edited" if sha256(current) != plan.owned[path] else "stale"


def unified(path: str, before: bytes | None, after: bytes | None) -> list[str]:
    """A git-style unified diff of one file (``/dev/null`` for a side that does not exist).

    Paths are relative to the output directory: ``patch -p1 -d DIR`` applies it.
    """
    old = _lines(before)
    new = _lines(after)
    lines = list(difflib.unified_diff(
        old, new,
        fromfile="/dev/null" if before is None else f"a/{path}",
        tofile="/dev/null" if after is None else f"b/{path}",
    ))
    out: list[str] = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.extend([line + "\n", "\\ No newline at end of file\n"])
    return out


def _lines(data: bytes | None) -> list[str]:
    if data is None:
        return []
    return data.decode("utf-8", "replace").splitlines(keepends=True)
