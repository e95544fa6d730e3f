"""Lint manifests read from YAML: the reader's problems plus exactly the checks render runs.

>>> findings = kubegen.lint.lint_paths(["k8s/"])
>>> report = kubegen.lint.lint(["k8s/"], CheckOptions(partial=True))  # findings + counts
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

import attrs

from kubegen.api import no_cyclic_gc
from kubegen.checks import Checker, CheckOptions, Finding, run_checks, sort_findings
from kubegen.checks.assumed import Assumed
from kubegen.finding import plural as _plural
from kubegen.location import Location
from kubegen.manifest import Manifest
from kubegen.reader import Item, Reading, ReadResult
from kubegen.reader_kustomize import generated


class LintResult:
    """Every finding (sorted by file and line) and how many objects and files were read."""

    __slots__ = ("findings", "objects", "files")

    def __init__(self, findings: list[Finding], objects: int, files: int) -> None:
        self.findings = findings
        self.objects = objects
        self.files = files

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    def failed(self, *, strict: bool = False) -> bool:
        """Whether the run fails: any error (or, ``strict``, any warning)."""
        return bool(self.findings) if strict else self.errors > 0

    def summary(self) -> str:
        """``3 errors, 1 warning in 12 objects from 4 files``."""
        return (
            f"{_plural(self.errors, 'error')}, {_plural(self.warnings, 'warning')} in "
            f"{_plural(self.objects, 'object')} from {_plural(self.files, 'file')}"
        )

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form (``kubegen lint --format json``)::

            {"findings": [{"file", "line", "severity", "rule", "message", "object", "path"}, ...],
             "summary": {"errors": int, "warnings": int, "objects": int, "files": int}}
        """
        return {
            "findings": [f.to_json() for f in self.findings],
            "summary": {
                "errors": self.errors,
                "warnings": self.warnings,
                "objects": self.objects,
                "files": self.files,
            },
        }




def lint_manifests(manifests: Sequence[Manifest], options: CheckOptions | None = None) -> list[Finding]:
    """The checks' findings for manifests from anywhere (sorted by file and line)."""
    return run_checks(manifests, options)


def lint_read(read: ReadResult, options: CheckOptions | None = None) -> LintResult:
    """Findings for what the reader produced: its problems and the checks' findings."""
    return _lint([*read.problems, *read.manifests], options, lambda: read.files)


BATCH = 1000
"""Objects checked at a time while streaming: memory follows the batch, not the file."""


def lint(paths: Sequence[str], options: CheckOptions | None = None, stdin: TextIO | None = None) -> LintResult:
    """Read FILEs, DIRs and ``-`` (stdin) and lint everything as one set, streaming: each
    batch of objects is checked as it is read and dropped unless a whole-stack rule reads
    it (see :class:`kubegen.checks.Checker`), so memory grows with the largest document
    and the catalogue of names, not with the input."""
    reading = Reading(paths, stdin)
    return _lint(reading, with_generated(reading.kustomizations, options or CheckOptions()), lambda: reading.files)


def with_generated(kustomizations: Sequence[str], options: CheckOptions) -> CheckOptions:
    """``options`` plus what the kustomizations of the directories read generate (a
    ``configMapGenerator``'s ConfigMap exists once kustomize builds the directory)."""
    made = frozenset(Assumed(kind, name, namespace, source=Location(path))
                     for kind, name, namespace, path in generated(kustomizations))
    return attrs.evolve(options, assume=options.assume | made) if made else options


def _lint(items: Iterable[Item], options: CheckOptions | None, files: Callable[[], int]) -> LintResult:
    options = options or CheckOptions()
    checker = Checker(options)
    problems: list[Finding] = []
    objects = 0
    batch: list[Manifest] = []
    with no_cyclic_gc():  # many small acyclic objects: nothing for the cyclic collector to find
        for item in items:
            if isinstance(item, Manifest):
                batch.append(item)
                if len(batch) >= BATCH:
                    objects += len(batch)
                    checker.add(batch)
                    batch = []
            elif item.rule not in options.ignore:
                problems.append(item)
        objects += len(batch)
        checker.add(batch)
        findings = sort_findings([*problems, *checker.finish()])
    return LintResult(findings, objects, files())


def lint_paths(paths: Sequence[str], options: CheckOptions | None = None, stdin: TextIO | None = None) -> list[Finding]:
    """All findings (reader problems and checks) for FILEs, DIRs and ``-``, sorted by file and line."""
    return lint(paths, options, stdin).findings
