"""From findings to fixes: which finding has one safe fix, and what it is.

A planner is a function ``(finding, context) -> Fix | None`` registered for a rule id.
It looks at the finding's manifest and path and at schema data (served apiVersions,
each field's type and enumeration) or at the rest of the stack (pod labels, container
ports, Services); it never reads a message's text. A planner answers None whenever
there is any doubt: no candidate, or more than one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from kubegen.checks import CheckOptions
from kubegen.checks.k8sdata import REMOVED, ApiData, Definition, FieldType, ListOf, MapOf, api_data, group_of
from kubegen.finding import Finding
from kubegen.fix.ops import Op
from kubegen.manifest import Manifest

P = tuple[str | int, ...]


@attrs.frozen(kw_only=True)
class Fix:
    """One finding's repair: the ops that make it and a one-line summary of the change."""

    finding: Finding
    manifest: Manifest = attrs.field(eq=False)
    ops: tuple[Op, ...]
    summary: str
    cross_object: bool = False
    """Chosen by looking at other objects (a selector, a targetPort, an Ingress backend)."""
    first: bool = False
    """Tried before the other fixes of its file (a misspelt field restored before anything is
    added in its place)."""

    @property
    def rule(self) -> str:
        return self.finding.rule

    def key(self) -> tuple[Any, ...]:
        """Identity across passes (a fix refused once is not tried again)."""
        m = self.manifest
        return (self.rule, m.origin.file, m.kind, m.namespace, m.name, self.finding.path, self.summary)

    def describe(self, line: int | None = None, verb: str = "fixed") -> str:
        """``svc.yaml:4: fixed api-version: Service 'web': apiVersion apps/v1 -> v1`` (``line``:
        where the finding was in the file as given, when a previous pass moved it)."""
        where = self.finding.location if line is None else f"{self.finding.location.file}:{line}"
        return f"{where}: {verb} {self.rule}: {self.manifest.label}: {self.summary}"


class Context:
    """What planners may consult: every manifest of the run, the options, the API data."""

    def __init__(self, manifests: Sequence[Manifest], options: CheckOptions) -> None:
        self.manifests = manifests
        self.options = options
        self._index: Any = None

    @property
    def data(self) -> ApiData:
        """The API data of the target Kubernetes version (``--kube-version``)."""
        return api_data(self.options.target)

    @property
    def index(self) -> Any:
        """The wiring rules' index of pod templates and Services (built once per pass)."""
        if self._index is None:
            from kubegen.checks.wiring import StackIndex

            self._index = StackIndex(self.manifests)
        return self._index

    def root(self, m: Manifest) -> Definition | None:
        """The schema of ``m``'s kind at its own apiVersion, or, when only the apiVersion is
        wrong (``apps/v1`` Service), at the one that serves the kind (as the checks judge it);
        None for a removed apiVersion whose schema differed, or an unknown kind."""
        data = self.data
        root = data.roots.get((m.api_version, m.kind))
        if root is not None or (m.api_version, m.kind) in REMOVED:
            return root
        served = data.kinds.get(m.kind) or []
        same_group = [v for v in served if group_of(v) == group_of(m.api_version)]
        candidates = same_group or served
        return data.roots.get((candidates[0], m.kind)) if len(candidates) == 1 else None

    def type_at(self, m: Manifest, path: P) -> FieldType | None:
        """The schema type of the field at ``path`` (None: unknown or not served)."""
        t: FieldType | None = self.root(m)
        for step in path:
            if isinstance(t, Definition) and isinstance(step, str):
                t = t.props.get(step)
            elif isinstance(t, ListOf) and isinstance(step, int):
                t = t.item
            elif isinstance(t, MapOf) and isinstance(step, str):
                t = t.value
            else:
                return None
        return t


Planner = Callable[[Finding, Context], "Fix | None"]
PLANNERS: dict[str, list[Planner]] = {}


def planner(*rules: str) -> Callable[[Planner], Planner]:
    """Register a planner for findings of ``rules``."""

    def register(fn: Planner) -> Planner:
        for rule in rules:
            PLANNERS.setdefault(rule, []).append(fn)
        return fn

    return register


def plan(findings: Sequence[Finding], context: Context) -> list[Fix]:
    """The fixes for every finding that has exactly one safe fix."""
    from kubegen.fix import ingress, rules, wiring  # noqa: F401  (they register their planners)

    fixes: list[Fix] = []
    for finding in findings:
        if finding.manifest is None or not hasattr(finding.manifest.origin, "lines"):
            continue  # a reader problem, or an object that was not read from YAML
        for fn in PLANNERS.get(finding.rule, ()):
            fix = fn(finding, context)
            if fix is not None:
                fixes.append(fix)
                break
    return fixes
