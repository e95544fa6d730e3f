"""Lint manifests read from YAML: the reader's problems plus exactly the checks render runs.

>>> findings = kubegen.lint.lint_paths(["k8s/"])
>>> report = kubegen.lint.lint(["k8s/"], CheckOptions(partial=True))  # findings + counts
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from kubegen.checks import CheckOptions, Finding, run_checks, sort_findings
from kubegen.errors import InputError
from kubegen.finding import plural as _plural
from kubegen.manifest import Manifest
from kubegen.reader import ReadResult, read_paths


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
    options = options or CheckOptions()
    problems = [p for p in read.problems if p.rule not in options.ignore]
    try:
        checked = run_checks(read.manifests, options)
    except RecursionError as exc:  # data nested thousands of levels deep (block style)
        raise InputError("the input nests too deeply to check; flatten the structure") from exc
    findings = sort_findings([*problems, *checked])
    return LintResult(findings, len(read.manifests), read.files)


def lint(paths: Sequence[str], options: CheckOptions | None = None, stdin: TextIO | None = None) -> LintResult:
    """Read FILEs, DIRs and ``-`` (stdin) and lint everything as one set."""
    return lint_read(read_paths(paths, stdin), options)


def lint_paths(paths: Sequence[str], options: CheckOptions | None = None, stdin: TextIO | None = None) -> list[Finding]:
    """All findings (reader problems and checks) for FILEs, DIRs and ``-``, sorted by file and line."""
    return lint(paths, options, stdin).findings
