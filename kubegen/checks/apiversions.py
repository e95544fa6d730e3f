"""The ``api-version`` rule: a built-in kind under an apiVersion the API does not serve.

Also reports (as ``schema``) a manifest without ``apiVersion`` or ``kind``. Kinds
under groups the API does not know (CRDs such as ``monitoring.coreos.com/v1``) are
not judged.
"""

from __future__ import annotations

from kubegen import facts
from kubegen.checks import Report
from kubegen.checks.k8sdata import REMOVED, ApiData, group_of
from kubegen.finding import yaml_value
from kubegen.manifest import Manifest

Pair = tuple[str, str]


def check_api_version(m: Manifest, report: Report, data: ApiData) -> Pair | None:
    """Report a missing or unserved apiVersion/kind.

    Returns the (apiVersion, kind) whose schema the object's body should be checked
    against: its own when served, the served one when only the apiVersion is wrong
    (``apps/v1`` Service -> ``v1`` Service), None when there is none to trust
    (unknown kind, CRD, removed apiVersion whose schema differed).
    """
    obj = m.obj
    kind, api_version = obj.get("kind"), obj.get("apiVersion")
    if not isinstance(kind, str) or not kind:
        hint = ""
        if isinstance(api_version, str) and api_version in data.kinds_by_version:
            hint = _listing(data, api_version)
        what = "has no kind" if kind is None or kind == "" else f"has kind {yaml_value(kind)}, which is not a string"
        report.add("schema", m, f"{m.label} {what}; add kind: KIND (e.g. Deployment, Service){hint}", ())
        return None
    if not isinstance(api_version, str) or not api_version:
        correct = data.kinds_by_lower.get(kind.lower(), kind)
        known = data.kinds.get(correct)
        fix = f"apiVersion: {known[0]}" if known else "apiVersion: GROUP/VERSION"
        what = "has no apiVersion" if api_version in (None, "") else (
            f"has apiVersion {yaml_value(api_version)}, which is not a string"
        )
        if known and correct != kind:
            fix += f" and write kind: {correct} (kinds are case-sensitive)"
        report.add("schema", m, f"{m.label} {what}; add {fix}", ())
        missing = api_version in (None, "")
        return (known[0], correct) if known and correct == kind and missing else None
    if (api_version, kind) in data.served:
        return api_version, kind
    removed = REMOVED.get((api_version, kind))
    if removed is not None:
        if report.target < _release(removed[0]):  # still served by the target release
            report.add("api-version", m, _removed_later(m, api_version, kind, removed, report.target),
                       ("apiVersion",), severity="warning")
        else:
            report.add("api-version", m, _removed_message(m, api_version, kind, removed), ("apiVersion",))
        return None
    group = group_of(api_version)
    if group not in data.groups:
        return None  # a CRD or an aggregated API: not ours to judge
    served = data.kinds.get(kind)
    if served:
        same_group = [v for v in served if group_of(v) == group]
        fix = " or ".join(same_group or served[:2])
        report.add(
            "api-version", m,
            f"{m.label}: apiVersion {api_version} does not serve kind {kind}; use apiVersion: {fix}",
            ("apiVersion",),
        )
        return (same_group or served)[0], kind
    correct = data.kinds_by_lower.get(kind.lower())
    if correct is not None:
        report.add("api-version", m, _wrong_case(m, kind, correct), ("kind",))
        return None
    kinds_here = [k for k in data.kinds_by_version.get(api_version, []) if not k.endswith("List")]
    close = facts.suggest(kind, kinds_here or list(data.kinds))
    if close:
        hint = f"; did you mean {close}?"
    elif kinds_here and len(kinds_here) <= 12:
        hint = f"; it serves {', '.join(kinds_here)}"
    else:
        hint = ""
    report.add("api-version", m, f"{m.label}: apiVersion {api_version} does not serve kind {kind}{hint}", ("kind",))
    return None


def _wrong_case(m: Manifest, kind: str, correct: str) -> str:
    return f"{m.label}: kind {kind} is not a Kubernetes kind (kinds are case-sensitive); did you mean kind: {correct}?"


def _removed_message(m: Manifest, api_version: str, kind: str, removed: tuple[str, str | None, str]) -> str:
    release, replacement, note = removed
    text = f"{m.label}: {api_version} {kind} was removed in Kubernetes {release}"
    if replacement is not None:
        text += f"; use {replacement}"
    if note:
        text += f" ({note})" if replacement is not None else f"; {note}"
    return text


def _release(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


def _removed_later(
    m: Manifest, api_version: str, kind: str, removed: tuple[str, str | None, str], target: tuple[int, int]
) -> str:
    release, replacement, _note = removed
    text = (f"{m.label}: {api_version} {kind} is served by Kubernetes {target[0]}.{target[1]} but removed in "
            f"{release}")
    return text + (f"; move to {replacement} before upgrading" if replacement else "")


def _listing(data: ApiData, api_version: str) -> str:
    kinds = [k for k in data.kinds_by_version[api_version] if not k.endswith("List")]
    return f"; {api_version} serves {', '.join(kinds)}" if 0 < len(kinds) <= 12 else ""
