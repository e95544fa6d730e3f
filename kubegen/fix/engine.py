"""The fixing loop: plan, edit, verify, commit; again while something was fixed.

Each pass plans a fix for every finding that has one (:mod:`kubegen.fix.plan`), edits
only the files those fixes are in, checks each new text reads back as intended
(:mod:`kubegen.fix.source`), then re-runs every check over the whole set with the
changed files' objects in place: a fix whose finding is still there is refused and
the pass redone without it. A later pass sees what the earlier ones changed (a fix
that had to wait for another, a backend that can be judged once its Ingress is v1).

At the end, no object may have more findings of any rule than it had at the start:
a change that brought a problem (a conversion the new schema rejects) is refused,
with the new finding as the reason, and the whole run is redone without it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from kubegen.checks import CheckOptions
from kubegen.finding import Finding
from kubegen.fix.ops import on_one_path, touched
from kubegen.fix.plan import Context, Fix, plan
from kubegen.fix.source import Attempt, Source
from kubegen.lint import LintResult, lint_read
from kubegen.manifest import Manifest
from kubegen.reader import ReadResult

MAX_PASSES = 4
MAX_RUNS = 16
"""Whole runs redone after refusing the fixes that brought a finding (each refuses one or more)."""
BROKEN = "has YAML errors; fix those first (see the findings), then run --fix again"


class Objects:
    """Each manifest's identity that survives re-reading its file (whose lines may have
    moved): the file and the manifest's place among the file's manifests."""

    def __init__(self) -> None:
        self._keys: dict[int, tuple[str, int]] = {}
        self._reads: list[ReadResult] = []  # kept alive, so no id() is reused

    def add(self, read: ReadResult) -> None:
        self._reads.append(read)
        seen: Counter[str] = Counter()
        for m in read.manifests:
            if id(m) not in self._keys:
                self._keys[id(m)] = (m.origin.file, seen[m.origin.file])
            seen[m.origin.file] += 1

    def key(self, m: Manifest) -> tuple[str, int]:
        return self._keys[id(m)]

    def count_key(self, f: Finding) -> tuple[Any, ...]:
        if f.manifest is not None and id(f.manifest) in self._keys:
            return (f.rule, self.key(f.manifest))
        return (f.rule, f.location.file, f.location.line, f.message)


class Engine:
    """Runs the passes over what the reader read; the outcome is in the attributes."""

    def __init__(self, read: ReadResult, options: CheckOptions, unwritable: dict[str, str]) -> None:
        self.options = options
        self.read = read
        self.unwritable = unwritable
        self.result: LintResult = lint_read(read, options)
        self.sources: dict[str, Source] = {}
        self.skipped: dict[str, str] = {}
        self.applied: list[Fix] = []
        self.lines: dict[int, int] = {}  # id(fix) -> its finding's line in the file as read
        self.refused: dict[tuple[Any, ...], tuple[Fix, str]] = {}
        self._broken = {p.location.file for p in read.problems}
        self.objects = Objects()
        self.objects.add(read)

    def run(self) -> None:
        start_read, start_result = self.read, self.result
        for _ in range(MAX_RUNS):
            for _ in range(MAX_PASSES):
                if not self._pass():
                    break
            culprits = self._brought(start_result.findings)
            if not culprits:
                break
            for fix, reason in culprits:
                self.refused[fix.key()] = (fix, reason)
            self.read, self.result = start_read, start_result
            self.sources, self.skipped, self.applied, self.lines = {}, {}, [], {}
        # (after MAX_RUNS runs that each refused a fix, the last reset leaves everything as read)
        for file in sorted(self._broken):  # say why nothing there changed
            self.skipped.setdefault(file, BROKEN)

    def changed(self) -> list[Source]:
        """The sources whose text changed, in file order."""
        return [s for _, s in sorted(self.sources.items()) if s.text != s.original_text]

    def _pass(self) -> bool:
        manifests = self.read.manifests
        fixes = [f for f in plan(self.result.findings, Context(manifests, self.options))
                 if f.key() not in self.refused]
        by_file: dict[str, list[Fix]] = {}
        for fix in sorted(fixes, key=lambda f: not f.first):
            by_file.setdefault(fix.manifest.origin.file, []).append(fix)
        while True:
            attempts: dict[str, Attempt] = {}
            for file, file_fixes in sorted(by_file.items()):
                source = self._source(file, manifests)
                if source is None:
                    continue
                attempt, _deferred = source.attempt(file_fixes)
                for fix, reason in attempt.refused:
                    self.refused[fix.key()] = (fix, reason)
                if attempt.applied:
                    attempts[file] = attempt
            if not attempts:
                return False
            read = self._replaced(attempts)
            self.objects.add(read)
            result = lint_read(read, self.options)
            culprits = self._judge(attempts, result.findings)
            if not culprits:
                break
            for fix, reason in culprits:
                self.refused[fix.key()] = (fix, reason)
            by_file = {file: [f for f in fs if f.key() not in self.refused] for file, fs in by_file.items()}
        for file, attempt in attempts.items():
            source = self.sources[file]
            for fix, _ in attempt.applied:
                self.lines[id(fix)] = source.original_line(fix.finding.location.line)
            source.commit(attempt)
            self.applied.extend(f for f, _ in attempt.applied)
        self.read, self.result = read, result
        return True

    def _source(self, file: str, manifests: Sequence[Manifest]) -> Source | None:
        if file in self.sources:
            return self.sources[file]
        if file in self.skipped:
            return None
        own = [m for m in manifests if m.origin.file == file]
        loaded = Source.load(file, own, self.unwritable.get(file), BROKEN if file in self._broken else None)
        if isinstance(loaded, str):
            self.skipped[file] = loaded
            return None
        self.sources[file] = loaded
        return loaded

    def _replaced(self, attempts: dict[str, Attempt]) -> ReadResult:
        """What the reader would give with the attempts' texts in place of their files."""
        new: dict[str, list[Manifest]] = {}
        for file, attempt in attempts.items():
            assert attempt.read is not None
            new[file] = attempt.read.manifests
        read = ReadResult()
        read.files = self.read.files
        read.problems = list(self.read.problems)
        done: set[str] = set()
        for m in self.read.manifests:
            file = m.origin.file
            if file not in new:
                read.manifests.append(m)
            elif file not in done:
                read.manifests.extend(new[file])
                done.add(file)
        return read

    def _judge(self, attempts: dict[str, Attempt], after: Sequence[Finding]) -> list[tuple[Fix, str]]:
        """The fixes whose finding is still there (same rule, object and field)."""
        key = self.objects.key
        left = {(f.rule, key(f.manifest), f.path) for f in after if f.manifest is not None}
        return [
            (fix, "the finding would stay after the change")
            for attempt in attempts.values() for fix, _ in attempt.applied
            if (fix.rule, key(fix.manifest), fix.finding.path) in left
        ]

    def _brought(self, start: Sequence[Finding]) -> list[tuple[Fix, str]]:
        """The fixes to blame for any object having more findings of a rule than at the start:
        of the object's fixes, those that changed the new finding's field (or a field around
        it), else those that change what the object is (its apiVersion, kind), else all."""
        by_object: dict[tuple[Any, ...], list[Fix]] = {}
        for fix in self.applied:
            by_object.setdefault(self.objects.key(fix.manifest), []).append(fix)
        culprits: dict[int, tuple[Fix, str]] = {}
        for finding in self._new_findings(start):
            reason = f"the change would bring {finding.rule}: {finding.message}"
            owner = self.objects.key(finding.manifest) if finding.manifest is not None else None
            suspects = by_object.get(owner, []) if owner is not None else []
            if suspects:
                suspects = ([f for f in suspects if _reaches(f, finding.path)]
                            or [f for f in suspects if _renames_object(f)] or suspects)
            else:  # another object's finding: blame the fixes that reach across objects
                suspects = [f for f in self.applied if f.cross_object or _renames_object(f)] or self.applied
            for fix in suspects:
                culprits.setdefault(id(fix), (fix, reason))
        return list(culprits.values())

    def _new_findings(self, start: Sequence[Finding]) -> list[Finding]:
        """The findings of each (rule, object) that has more of them than at the start: those
        not there at the start (same field, same message), or all of them when that cannot tell."""
        count_key = self.objects.count_key
        before: dict[tuple[Any, ...], Counter[tuple[Any, str]]] = {}
        for f in start:
            before.setdefault(count_key(f), Counter())[(f.path, f.message)] += 1
        now: dict[tuple[Any, ...], list[Finding]] = {}
        for f in self.result.findings:
            now.setdefault(count_key(f), []).append(f)
        new: list[Finding] = []
        for key, findings in now.items():
            had = before.get(key, Counter())
            if len(findings) <= sum(had.values()):
                continue
            fresh = []
            for f in findings:
                if had[(f.path, f.message)] > 0:
                    had[(f.path, f.message)] -= 1  # this one was there
                else:
                    fresh.append(f)
            new.extend(fresh or findings)
        return new


def _reaches(fix: Fix, path: tuple[str | int, ...]) -> bool:
    """Whether ``fix`` changes the field at ``path``, one inside it, or one around it."""
    for op in fix.ops:
        for p in touched(op):
            if p and path and on_one_path(p, path):
                return True
    return False


def _renames_object(fix: Fix) -> bool:
    """Whether a fix changes what identifies its object (kind, apiVersion, metadata)."""
    return any(op.path[:1] in (("kind",), ("apiVersion",), ("metadata",)) or op.path == () for op in fix.ops)
