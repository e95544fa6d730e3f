"""``kubegen lint --fix``: repair, in place, the findings that have one safe fix.

>>> result = kubegen.fix.fix_paths(["k8s/"])              # rewrites the files
>>> result = kubegen.fix.fix_paths(["k8s/"], write=False)  # only computes; result.diff()
>>> result.applied     # the fixes made, each .describe()d as file:line: fixed rule: ...
>>> result.lint        # what is left: a LintResult, as `kubegen lint` would report now

How it works (and why it is fast): the files are linted exactly as ``kubegen lint``
does, with the fast reader; fixes are planned from the findings; only the files
with a fix are then composed by ruamel.yaml's round-trip parser, edited span by
span (everything else byte for byte: comments, blank lines, key order, quoting,
``---``, CRLF, a missing final newline), read back to check they mean what was
intended, and re-linted with the rest of the stack. A file is written atomically,
and only then. ruamel.yaml is imported here, on first use, never by ``render``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence

from kubegen.checks import CheckOptions
from kubegen.errors import KubegenError, UsageError
from kubegen.finding import Finding
from kubegen.fix.engine import Engine
from kubegen.fix.files import replace_file, unwritable
from kubegen.fix.plan import Fix
from kubegen.fix.source import Source
from kubegen.lint import LintResult, with_generated
from kubegen.reader import Reading, ReadResult


class FixResult:
    """What ``--fix`` did: the fixes made, the files it left alone (and why), the fixes it
    refused (and why), the changed files, and what is left (``lint``)."""

    def __init__(self, engine: Engine, written: bool, errors: list[str]) -> None:
        self.applied: list[Fix] = list(engine.applied)
        self._lines = dict(engine.lines)
        self.skipped: dict[str, str] = dict(engine.skipped)
        self.lint: LintResult = engine.result
        self.sources: list[Source] = engine.changed()
        self.written = written
        self.errors = errors
        left = {(f.rule, f.location.file, f.message) for f in self.lint.findings}
        self.refused: list[tuple[Fix, str]] = [
            (fix, reason) for fix, reason in engine.refused.values()
            if (fix.rule, fix.finding.location.file, fix.finding.message) in left
        ]

    def line(self, fix: Fix) -> int:
        """Where ``fix``'s finding was in the file as it was read (a later pass's finding
        may sit on a line an earlier fix moved)."""
        return self._lines.get(id(fix), fix.finding.location.line)

    def describe(self, fix: Fix) -> str:
        """``svc.yaml:4: fixed api-version: ...`` (``would fix`` when nothing is written)."""
        return fix.describe(self.line(fix), "fixed" if self.written else "would fix")

    @property
    def left(self) -> list[Finding]:
        return self.lint.findings

    def failed(self, *, strict: bool = False) -> bool:
        """Whether the run fails: findings are left (as lint decides) or a write failed."""
        return bool(self.errors) or self.lint.failed(strict=strict)

    def summary(self) -> str:
        """``fixed 3 findings in 2 files; 1 error, 0 warnings left in 12 objects from 4 files``."""
        verb = "fixed" if self.written else "would fix"
        files = len({f.manifest.origin.file for f in self.applied})
        head = f"{verb} {_count(len(self.applied), 'finding')} in {_count(files, 'file')}"
        return f"{head}; {self.lint.summary().replace(' in ', ' left in ', 1)}"

    def diff(self) -> str:
        """A unified diff of every change (``a/FILE`` -> ``b/FILE``, ``git apply`` and ``patch -p1``
        read it from the working directory)."""
        out: list[str] = []
        for source in self.sources:
            bom = "\ufeff" if source.bom else ""  # the file's first line, as git reads it
            old, new = _lines(bom + source.original_text), _lines(bom + source.text)
            name = _diff_name(source.path)
            for line in difflib.unified_diff(old, new, f"a/{name}", f"b/{name}"):
                if line.startswith(("---", "+++")):
                    line = line.rstrip("\n") + "\n"
                out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)

    def to_json(self) -> dict[str, object]:
        """``lint --format json`` plus ``fixed`` (file, line, rule, object, change) and ``skipped``."""
        data = self.lint.to_json()
        data["fixed"] = [
            {
                "file": fix.finding.location.file, "line": self.line(fix), "rule": fix.rule,
                "object": {"kind": fix.manifest.kind, "name": fix.manifest.name,
                           "namespace": fix.manifest.namespace},
                "change": fix.summary,
            }
            for fix in self.applied
        ]
        data["skipped"] = [{"file": file, "reason": reason} for file, reason in sorted(self.skipped.items())]
        data["not_fixed"] = [
            {"file": fix.finding.location.file, "line": fix.finding.location.line, "rule": fix.rule,
             "change": fix.summary, "reason": reason}
            for fix, reason in self.refused
        ]
        return data


def _lines(text: str) -> list[str]:
    """The lines of ``text`` with their ends, split only at ``\\n`` as git and patch split
    (``str.splitlines`` would also split at U+2028, NEL, form feeds, ... inside a value)."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _diff_name(path: str) -> str:
    """The file's name in a diff (after ``a/``, ``b/``): relative to the working directory
    when the file is below it, so ``git apply`` and ``patch -p1`` take the diff from here
    however the path was written (``./k8s``, ``/abs/k8s``, ``../repo/k8s``)."""
    absolute, here = os.path.abspath(path), os.getcwd()
    if os.path.commonpath([absolute, here]) == here:
        return os.path.relpath(absolute, here).replace(os.sep, "/")
    return absolute.lstrip(os.sep).replace(os.sep, "/")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def fix_paths(paths: Sequence[str], options: CheckOptions | None = None, *, write: bool = True) -> FixResult:
    """Lint FILEs and DIRs as one stack and fix what has one safe fix; with ``write`` the
    changed files are replaced atomically, else nothing is written (see :meth:`FixResult.diff`)."""
    if "-" in paths:
        raise UsageError("--fix rewrites files in place and cannot fix stdin (-); pass the files")
    options = options or CheckOptions()
    refused = unwritable(paths, writing=write)
    reading = Reading(paths)
    # what the directories' kustomizations generate exists, as for lint
    engine = Engine(ReadResult.collect(reading), with_generated(reading.kustomizations, options), refused)
    engine.run()
    errors: list[str] = []
    if write:
        for source in engine.changed():
            try:
                replace_file(source.path, source.data(), source.original)
            except KubegenError as exc:
                errors.append(str(exc))
    return FixResult(engine, write, errors)


__all__ = ["Fix", "FixResult", "fix_paths"]
