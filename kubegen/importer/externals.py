"""What an imported file refers to but does not contain, as ``External(...)`` declarations.

A file of a larger app (a lone Service whose pods another file runs, an Ingress in front
of a Service defined elsewhere, a Deployment mounting a ConfigMap of another file) is
valid on its own, but its app would not render: the cross-object checks would report
every such reference. So import runs those checks over the input and declares each
missing object the way a user would, with the mechanism for things that live outside
the stack (:class:`kubegen.External`, ``--assume``):

- pods behind a Service, budget or policy selector: ``External.pods({...}, ports=[...])``
  with the ports the Services target (so ``target-port`` still checks them);
- a Service behind an Ingress: ``External(kind="Service", name=..., ports=[...])``;
- a ConfigMap, Secret, PersistentVolumeClaim, ServiceAccount, Role, ClusterRole, or
  autoscaler target the file names: ``External(kind=..., name=...)``.

The checks decide what is missing (each finding carries the declaration that supplies
it), so import and ``kubegen lint`` never disagree. A whole app (``kubegen import DIR``
of a kustomize base) needs none. A declaration whose finding suggested a near miss
(``did you mean app=frontend?``) carries that finding as a comment: it may be a typo.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kubegen.checks import CheckOptions, Report
from kubegen.checks.assumed import Assumed, Port
from kubegen.importer.pysource import Call, call, identifier
from kubegen.manifest import Manifest, custom_pod_template

_DEFAULT_NAMESPACE = "default"


@dataclass
class Declaration:
    """One ``External(...)`` of the app: what is missing, and why (near misses)."""

    assumed: Assumed
    notes: list[str] = field(default_factory=list)
    var: str = ""
    node: Any = None


def missing(manifests: Sequence[Manifest]) -> list[Declaration]:
    """The declarations that make ``manifests`` a stack the cross-object checks accept, in
    the order the checks first needed them."""
    from kubegen.checks import references, wiring
    from kubegen.checks.catalogue import Catalogue

    whole = wiring.KINDS | references.KINDS  # what refers to other objects (the rest is only referred to)
    referring = [m for m in manifests if m.kind in whole or custom_pod_template(m.obj) is not None]
    if not referring:
        return []
    report = Report(CheckOptions())
    report.catalogue = Catalogue()  # every object, for the references' existence lookups
    for m in manifests:
        report.catalogue.add(m)
    wiring.check_wiring(referring, report)
    references.check_references(referring, report)
    found: dict[tuple[Any, ...], Declaration] = {}
    for assumed, finding in report.missing:
        key = (assumed.kind, assumed.name, assumed.namespace, assumed.labels)
        known = found.get(key)
        if known is None:
            known = found[key] = Declaration(assumed)
        else:
            known.assumed = Assumed(assumed.kind, assumed.name, assumed.namespace,
                                    labels=assumed.labels, ports=_merged(known.assumed.ports, assumed.ports))
        if "did you mean" in finding.message and finding.message not in known.notes:
            known.notes.append(f"{finding.rule}: {finding.message}")
    return list(found.values())


def _merged(first: tuple[Port, ...] | None, second: tuple[Port, ...] | None) -> tuple[Port, ...] | None:
    """Ports declared for one object by two findings (None, any port, wins)."""
    if first is None or second is None:
        return None
    return first + tuple(p for p in second if p not in first)


def _ports(ports: tuple[Port, ...]) -> Any:
    if all(name and number for name, number in ports):
        return dict(ports)
    return [name or number for name, number in ports]


def declaration_call(assumed: Assumed, stack_namespace: str | None, *, spread: bool = False) -> Call:
    """The ``External(...)`` source for ``assumed`` in a Stack with ``stack_namespace``;
    ``spread``: the Stack has none and its objects are in several namespaces, where an
    External without a namespace would be in every one of them (so each one names its own)."""
    kwargs: dict[str, Any] = {}
    implied = None if spread else stack_namespace or _DEFAULT_NAMESPACE
    if assumed.namespace is not None and assumed.namespace != implied:
        kwargs["namespace"] = assumed.namespace
    if assumed.ports is not None:
        kwargs["ports"] = _ports(assumed.ports)
    if assumed.labels is not None and assumed.kind == "Pod" and not assumed.name:
        return call("External.pods", dict(assumed.labels), **kwargs)
    head: dict[str, Any] = {"kind": assumed.kind, "name": assumed.name}
    if assumed.labels is not None:
        head["labels"] = dict(assumed.labels)
    return call("External", **head, **kwargs)


def stem(assumed: Assumed) -> str:
    """What the declaration's variable is named after: ``db_pods``, ``settings_config_map``."""
    if assumed.labels is not None and not assumed.name:
        values = [v for _, v in assumed.labels if v] or [k for k, _ in assumed.labels]
        return identifier("_".join(values[:2]) + "_pods")
    kind = "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in assumed.kind).lstrip("_")
    return identifier(f"{assumed.name}_{kind}")


def declare(manifests: Sequence[Manifest], stack_namespace: str | None, taken: set[str]) -> list[Declaration]:
    """The declarations with their code and unique variable names (added to ``taken``)."""
    from kubegen.errors import KubegenError
    from kubegen.importer.program import BUILDERS
    from kubegen.importer.pysource import evaluate

    found = []
    spread = stack_namespace is None and len({m.namespace or _DEFAULT_NAMESPACE for m in manifests}) > 1
    for declaration in missing(manifests):
        declaration.node = declaration_call(declaration.assumed, stack_namespace, spread=spread)
        try:  # what no External can declare (a namespace 'TCP'): the input's own mistake, left to the checks
            evaluate(declaration.node, {}, BUILDERS)
        except (KubegenError, TypeError, ValueError):
            continue
        found.append(declaration)
    for declaration in found:
        base = stem(declaration.assumed)
        var, n = base, 1
        while var in taken:
            n += 1
            var = f"{base}_{n}"
        taken.add(var)
        declaration.var = var
    return found


__all__ = ["Declaration", "declaration_call", "declare", "missing"]
