"""The recorded answers of a real kube-apiserver (tests/data/apiserver-verdicts/) and how
kubegen's findings are held to them.

A ``rejected`` row agrees when kubegen reports an error on the object the server named
(kind and name) for every field path the server named; an ``accepted`` row agrees when
kubegen reports no error at all. Paths are compared the way a reader would: case-folded,
list indexes dropped (the server itself writes ``volumeMounts.subPath`` without one) and
map keys written either ``[key]`` or ``.key``; a finding on a field below the server's
path counts (``metadata.labels[app]`` covers ``metadata.labels``).
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs

from kubegen.checks import Finding, run_checks
from kubegen.checks.validation.paths import field_path
from kubegen.reader import read_paths

DATA = Path(__file__).resolve().parent / "data" / "apiserver-verdicts"

_INVALID = re.compile(r'The (\w+) "([^"]*)" is invalid: (.*)\Z')
_FIELD = re.compile(r"(?:^|\| \* )([A-Za-z][\w.\[\]/ -]*?): (?:Invalid value|Unsupported value|Required value|"
                    r"Not found|Forbidden|Duplicate value|Too long|Too many)")
_UNKNOWN_FIELD = re.compile(r'unknown field "([^"]+)"')
_GO_FIELD = re.compile(r"Go struct field \w+\.([\w.]+) of type")
_BAD_REQUEST = re.compile(r'error when creating "[^"]+": (\w+) in version')


@attrs.frozen
class Verdict:
    case: str
    accepted: bool
    answer: str
    kind: str = ""
    name: str = ""
    paths: tuple[str, ...] = ()

    @property
    def file(self) -> Path:
        return DATA / "cases" / f"{self.case}.yaml"


def load() -> list[Verdict]:
    rows = (DATA / "verdicts.tsv").read_text(encoding="utf-8").splitlines()[1:]
    verdicts = []
    for row in rows:
        case, verdict, answer = row.split("\t")
        verdicts.append(_parse(case, verdict == "accepted", answer))
    return verdicts


def _parse(case: str, accepted: bool, answer: str) -> Verdict:
    if accepted:
        return Verdict(case, True, answer)
    match = _INVALID.match(answer)
    if match:
        kind, name, rest = match.groups()
        paths = tuple(dict.fromkeys(m.group(1) for m in _FIELD.finditer(rest)))
        return Verdict(case, False, answer, kind, name, paths)
    bad = _BAD_REQUEST.search(answer)
    kind = bad.group(1) if bad else ""
    paths = tuple(m.group(1) for m in (_UNKNOWN_FIELD.search(answer), _GO_FIELD.search(answer)) if m)
    return Verdict(case, False, answer, kind, "", paths)


def normalize(path: str) -> str:
    """``spec.ports[0].name`` -> ``spec.ports.name``; ``data[bad key]`` -> ``data.bad key``."""
    text = re.sub(r"\[(\d+)\]", "", path)
    text = re.sub(r"\[([^\]]*)\]", r".\1", text)
    return text.lower()


def covers(finding: Finding, server_path: str) -> bool:
    """The finding is at (or below) the server's path, or its message names that path
    (``stringData[key]`` ... ``merged into data[key]``)."""
    mine, theirs = normalize(field_path(finding.path)), normalize(server_path)
    return mine == theirs or mine.startswith(theirs + ".") or theirs in normalize(finding.message)


def findings_for(verdict: Verdict, kube_version: str | None = None) -> list[Finding]:
    from kubegen.checks import CheckOptions

    read = read_paths([str(verdict.file)])
    options = CheckOptions(kube_version=kube_version) if kube_version else CheckOptions()
    return [*read.problems, *run_checks(read.manifests, options)]


def judge(verdict: Verdict, findings: list[Finding]) -> tuple[bool, str]:
    """Whether kubegen agrees with the server on this case, and why not."""
    errors = [f for f in findings if f.severity == "error"]
    if verdict.accepted:
        return not errors, "; ".join(f.format() for f in errors)
    on_object = [
        f for f in errors
        if f.manifest is None
        or ((not verdict.kind or f.manifest.kind == verdict.kind) and (not verdict.name or f.manifest.name == verdict.name))
    ]
    if not on_object:
        return False, f"no error on {verdict.kind} {verdict.name!r}"
    missing = [
        p for p in verdict.paths
        if not any(covers(f, p) for f in on_object)
    ]
    if missing:
        shown = "; ".join(f"{field_path(f.path)}: {f.message}" for f in on_object)
        return False, f"no error at {', '.join(missing)} (found: {shown})"
    return True, ""


def agreement(kube_version: str | None = None) -> tuple[int, int, int, int]:
    """(rejections flagged, rejections, false errors, accepted cases) over every case."""
    flagged = rejected = false = accepted = 0
    for verdict in load():
        ok, _ = judge(verdict, findings_for(verdict, kube_version))
        if verdict.accepted:
            accepted += 1
            false += not ok
        else:
            rejected += 1
            flagged += ok
    return flagged, rejected, false, accepted


def figure(flagged: int, rejected: int, false: int, accepted: int) -> str:
    return (f"apiserver verdicts: {flagged} of {rejected} rejections flagged on the server's field paths; "
            f"{false} false errors of {accepted} accepted cases")


if __name__ == "__main__":  # python tests/apiserver_verdicts.py: the agreement figure
    print(figure(*agreement()))
