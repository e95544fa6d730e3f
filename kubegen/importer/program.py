"""From manifests to the plan of an app.py: stack settings, variables, one call per object.

How an object is written is decided by *building* it: each candidate spelling
(``web.expose(...)``, ``Service(...)``, ..., and finally ``Raw(manifest=...)``) is
evaluated with the real builders, compiled in the real Stack, and kept only if
its normal form (:func:`kubegen.importer.normalize.normalise`) equals the input's.
So the generated app renders back to the input objects by construction.
"""

from __future__ import annotations

import builtins
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kubegen import facts, model
from kubegen.errors import InputError, KubegenError
from kubegen.importer import deps, kinds
from kubegen.importer.normalize import normalise
from kubegen.importer.objects import object_name
from kubegen.importer.pods import dig
from kubegen.importer.pysource import Call, Var, call, evaluate, identifier
from kubegen.location import Location, built_at
from kubegen.manifest import Manifest, pod_template_of, stack_object

_ORIGIN = Location("<import>")
WORKLOAD_KINDS = ("Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")
BUILDERS: dict[str, Any] = {name: getattr(model, name) for name in model.__all__}
RESERVED = frozenset(dir(builtins)) | {"stack", "kubegen"}
# Variables are named in this order of kinds, so workloads get the plain names.
_NAME_PRIORITY = {kind: rank for rank, kind in enumerate(
    ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ConfigMap", "Secret", "ServiceAccount",
     "PersistentVolumeClaim", "Role", "ClusterRole", "Service", "Ingress", "Namespace")
)}


@dataclass
class Entry:
    """One input object and how the app writes it."""

    index: int
    manifest: Manifest
    local: dict[str, Any]  # the object minus what the Stack adds (namespace, common labels)
    namespace: str | None  # effective namespace (explicit or the stack's)
    var: str = ""
    node: Any = None
    built: Any = None
    typed: bool = False
    implicit: bool = False  # the Namespace the Stack creates by itself
    why: str | None = None  # why a modeled kind stays Raw
    deps: list[int] = field(default_factory=list)
    kind: str = field(init=False)
    name: str = field(init=False)

    def __post_init__(self) -> None:
        self.kind, self.name = self.manifest.kind, self.manifest.name

    @functools.cached_property
    def normal(self) -> Any:
        """The input object's normal form; computed only when a spelling does not render
        the object back byte for byte (most do: then no normal form is needed at all)."""
        return normalise(self.manifest.obj)

    @property
    def stem(self) -> str:
        """What the variable is named after: the name, else the generateName prefix."""
        return self.name or object_name(self.manifest.obj)


@dataclass
class Settings:
    namespace: str | None
    labels: dict[str, str]
    create_namespace: bool = True


@dataclass
class Plan:
    """What the template writes: stack settings and the objects in definition order."""

    settings: Settings
    entries: list[Entry]  # input order
    order: list[Entry]  # definition order (dependencies first)

    def stack_call(self, declared: Sequence[str] = ()) -> Call:
        """``Stack(...)`` with every object's variable (and then the ``declared`` Externals')."""
        kwargs: dict[str, Any] = {}
        if self.settings.namespace:
            kwargs["namespace"] = self.settings.namespace
        if self.settings.labels:
            kwargs["labels"] = self.settings.labels
        if not self.settings.create_namespace:
            kwargs["create_namespace"] = False
        kwargs["objects"] = [Var(e.var) for e in self.entries if not e.implicit] + [Var(v) for v in declared]
        return call("Stack", **kwargs)


# --- stack settings ----------------------------------------------------------------


def _labels_of(obj: dict[str, Any]) -> list[dict[str, Any]]:
    found = [dig(obj, "metadata", "labels") or {}]
    if obj.get("kind") != "Pod":
        template = pod_template_of(obj)
        if template is not None:
            found.append(dig(template, "metadata", "labels") or {})
    return found


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def stack_namespace(objs: list[dict[str, Any]]) -> str | None:
    """The namespace every namespaced object names, if they all name the same one."""
    spaces = {_text(dig(o, "metadata", "namespace")) for o in objs if o.get("kind") not in facts.CLUSTER_SCOPED}
    if len(spaces) == 1:
        (only,) = spaces
        return only if isinstance(only, str) and only else None
    return None


def common_labels(objs: list[dict[str, Any]]) -> dict[str, str]:
    """Labels on every object and pod template, used by no selector (the Stack's ``labels=``)."""
    if sum(1 for o in objs if o.get("kind") != "Namespace") < 2:
        return {}
    common: dict[str, str] | None = None
    for obj in objs:  # each step only takes labels out: once none is left, none will be
        for labels in _labels_of(obj):
            if not isinstance(labels, dict):
                return {}
            if common is None:
                common = {k: v for k, v in labels.items() if isinstance(k, str) and isinstance(v, str)}
            else:
                common = {k: v for k, v in common.items() if labels.get(k) == v}
            if not common:
                return {}
    if common is None:
        return {}
    for obj in objs:
        for selector in (dig(obj, "spec", "selector"), dig(obj, "spec", "selector", "matchLabels")):
            if isinstance(selector, dict):
                common = {k: v for k, v in common.items() if k not in selector}
    return common


def _strip_labels(meta: Any, common: dict[str, str]) -> Any:
    if not isinstance(meta, dict) or not common or not isinstance(meta.get("labels"), dict):
        return meta
    meta = dict(meta)
    labels = {k: v for k, v in meta["labels"].items() if k not in common}
    if labels:
        meta["labels"] = labels
    else:
        del meta["labels"]
    return meta


def local_view(obj: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """``obj`` without what the Stack adds back: its namespace and its common labels.

    Copy on write: only the mappings on the way to what is taken out are new; the rest
    is ``obj``'s own (``obj`` itself when nothing is taken out). Nothing downstream
    changes an object it was given (the candidates copy what they take apart, the
    builders freeze their arguments): tests/test_import_input.py holds that."""
    meta = obj.get("metadata")
    out = obj
    if isinstance(meta, dict):
        stripped = meta
        if settings.namespace and obj.get("kind") not in facts.CLUSTER_SCOPED \
                and meta.get("namespace") == settings.namespace:
            stripped = {k: v for k, v in meta.items() if k != "namespace"}
        stripped = _strip_labels(stripped, settings.labels)
        if stripped is not meta:
            out = {**obj, "metadata": stripped}
    kind = obj.get("kind")
    path = facts.POD_TEMPLATE_PATHS.get(kind) if isinstance(kind, str) else None  # a Pod's is () : itself
    template = pod_template_of(out) if path else None
    if path and template is not None and isinstance(template.get("metadata"), dict):
        stripped = _strip_labels(template["metadata"], settings.labels)
        if stripped is not template["metadata"]:
            out = _replaced(out, (*path, "metadata"), stripped)
    return out


def _replaced(obj: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of ``obj`` with ``value`` at ``path`` (a path of mappings): only the
    mappings along the path are copied."""
    head, *rest = path
    new = dict(obj)
    new[head] = _replaced(obj[head], tuple(rest), value) if rest else value
    return new


# --- names and order ---------------------------------------------------------------


def _name_options(entry: Entry, base: str, kind: str, same_kind: bool) -> list[str]:
    space = identifier(entry.namespace) if entry.namespace else ""
    if same_kind and space:  # the same name in another namespace: say which
        return [f"{base}_{space}", f"{base}_{space}_{kind}"]
    return [f"{base}_{kind}"] + ([f"{base}_{space}_{kind}"] if space else [])


def assign_names(entries: list[Entry]) -> None:
    """Variables from object names: valid, unique, workloads first to the plain name."""
    taken: dict[str, str] = {name: "" for name in RESERVED}  # variable -> kind
    numbered: dict[str, int] = {}  # last number tried after a stem, so that counting goes on from there
    kinds: dict[str, str] = {}
    for entry in sorted(entries, key=lambda e: (_NAME_PRIORITY.get(e.kind, 99), e.index)):
        if entry.implicit:
            continue
        kind = kinds.get(entry.kind)
        if kind is None:
            kind = kinds[entry.kind] = identifier(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", entry.kind))
        base = identifier(entry.stem) if entry.stem else kind
        if base.startswith("_"):
            base = f"{kind}{base}"
        options = [base, *_name_options(entry, base, kind, taken.get(base) == entry.kind)]
        var = next((option for option in options if option not in taken), None)
        if var is None:  # every spelling is taken: number the last one (_2, _3, ...)
            stem = options[-1]
            n = numbered.get(stem, 1)
            while var is None or var in taken:
                n += 1
                var = f"{stem}_{n}"
            numbered[stem] = n
        entry.var = var
        taken[var] = entry.kind


def _label_key(labels: Any) -> tuple[tuple[str, Any], ...] | None:
    """A hashable form of a label mapping, for looking selectors up (None: not a plain map)."""
    if not isinstance(labels, dict):
        return None
    try:
        key = tuple(sorted(labels.items()))
        hash(key)
    except TypeError:
        return None
    return key


def _selected_by(entry: Entry) -> list[Any]:
    """The selectors that pick this workload's pods (its matchLabels, its pod labels)."""
    if entry.kind == "Pod":
        return [dig(entry.local, "metadata", "labels")]
    template = pod_template_of(entry.local)
    return [dig(entry.local, "spec", "selector", "matchLabels"), dig(template, "metadata", "labels")]


def link(entries: list[Entry]) -> list[Entry]:
    """Each entry's dependencies, and the definition order (dependencies first, else input order)."""
    by_key: dict[tuple[str, str | None, str], Entry] = {}
    selected: dict[tuple[str | None, Any], list[int]] = {}  # (namespace, selector) -> workloads
    for entry in entries:
        by_key.setdefault((entry.kind, entry.namespace, entry.name), entry)
        if entry.kind in WORKLOAD_KINDS:
            for labels in _selected_by(entry):
                key = _label_key(labels)
                found = selected.setdefault((entry.namespace, key), []) if key is not None else None
                if found is not None and (not found or found[-1] != entry.index):
                    found.append(entry.index)
    for entry in entries:
        for kind, name in sorted(deps.references(entry.local)):
            dep = by_key.get((kind, None if kind in facts.CLUSTER_SCOPED else entry.namespace, name))
            if dep is not None and dep is not entry:
                entry.deps.append(dep.index)
        for selector in deps.selectors(entry.local):
            entry.deps.extend(
                i for i in selected.get((entry.namespace, _label_key(selector)), ()) if i != entry.index
            )
    order: list[Entry] = []
    seen: set[int] = set()

    def visit(entry: Entry) -> None:
        if entry.index in seen:
            return
        seen.add(entry.index)
        for dep in entry.deps:
            visit(entries[dep])
        order.append(entry)

    for entry in entries:
        visit(entry)
    return order


# --- choosing a spelling -------------------------------------------------------------


class Decided:
    """The entries written with typed builders so far, indexed for what candidates ask
    (the first in input order wins, as if the entries were scanned in order)."""

    def __init__(self) -> None:
        self._named: dict[tuple[str, str | None, str], Entry] = {}
        self._workloads: dict[tuple[str | None, Any], Entry] = {}

    def add(self, entry: Entry) -> None:
        self._first(self._named, (entry.kind, entry.namespace, entry.name), entry)
        if entry.kind in WORKLOAD_KINDS:
            key = _label_key(dict(entry.built.match_labels))
            if key is not None:
                self._first(self._workloads, (entry.namespace, key), entry)

    @staticmethod
    def _first(index: dict[Any, Entry], key: Any, entry: Entry) -> None:
        known = index.get(key)
        if known is None or entry.index < known.index:
            index[key] = entry

    def named(self, kind: str, namespace: str | None, name: str) -> Entry | None:
        return self._named.get((kind, namespace, name))

    def workload(self, namespace: str | None, selector: Any) -> Entry | None:
        key = _label_key(selector)
        return self._workloads.get((namespace, key)) if key is not None else None


class _Context:
    """What candidates may ask about entries already decided (same namespace only)."""

    def __init__(self, decided: Decided, current: Entry) -> None:
        self._decided = decided
        self._namespace = current.namespace

    def refs(self, kind: str, name: str) -> Var | str:
        entry = self._decided.named(kind, self._namespace, name)
        return Var(entry.var) if entry is not None else name

    def workload_for(self, selector: dict[str, str]) -> tuple[Var, Any] | None:
        entry = self._decided.workload(self._namespace, selector)
        return (Var(entry.var), entry.built) if entry is not None else None

    def service(self, name: str) -> tuple[Var, Any] | None:
        return self.find("Service", name)

    def find(self, kind: str, name: str) -> tuple[Var, Any] | None:
        space = None if kind in facts.CLUSTER_SCOPED else self._namespace
        entry = self._decided.named(kind, space, name)
        return (Var(entry.var), entry.built) if entry is not None else None


def _renders_back(built: Any, entry: Entry, settings: Settings) -> bool:
    """Whether ``built``, in the app's Stack (``settings``), writes the entry's object."""
    if getattr(built, "external", False) or not callable(getattr(built, "to_dict", None)):
        return False
    obj = stack_object(built, settings.namespace, settings.labels)
    # The same dict is the same object; only a spelling that differs (a default written
    # out or left out) needs the normal forms compared. When the rendering's normal form
    # is the input as written (a builder wrote a default the input leaves out), it is
    # also the input's normal form (normalise is idempotent: tests/test_import_input.py),
    # so the input's own needs no computing.
    if obj == entry.manifest.obj:
        return True
    normal = normalise(obj)
    return bool(normal == entry.manifest.obj or normal == entry.normal)


def decide(entry: Entry, decided: Decided, env: dict[str, Any], settings: Settings) -> bool:
    """Pick the first candidate that renders back to the entry; False if not even Raw does.

    An object of a modeled kind that stays Raw gets ``why``: the first reason a typed
    spelling was refused (the builder's own message, e.g. for a mistake in the input).
    """
    options, why = kinds.candidates(entry.local, _Context(decided, entry))
    options.append(call("Raw", manifest=entry.local))
    for index, node in enumerate(options):
        try:
            built = evaluate(node, env, BUILDERS)
            ok = _renders_back(built, entry, settings)
        except (KubegenError, TypeError, ValueError, KeyError, AttributeError) as exc:
            why = why or (exc.message if isinstance(exc, KubegenError) else str(exc))
            continue
        if ok:
            entry.node, entry.built, entry.typed = node, built, index < len(options) - 1
            if entry.typed:
                decided.add(entry)
            else:
                entry.why = why
            env[entry.var] = built
            return True
        why = why or f"kubegen's {entry.kind} would not write it back exactly"
    return False


def _implicit_namespace(entries: list[Entry], settings: Settings) -> None:
    if not settings.namespace:
        return
    own = [e for e in entries if e.kind == "Namespace" and e.name == settings.namespace]
    if not own:
        settings.create_namespace = False
        return
    auto: dict[str, Any] = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": settings.namespace}}
    if settings.labels:
        auto["metadata"]["labels"] = dict(settings.labels)
    if own[0].normal == normalise(auto):
        own[0].implicit = True


def _attempt(manifests: list[Manifest], settings: Settings) -> Plan | None:
    try:  # the app's Stack takes these settings (each object is then written as in it)
        model.Stack(namespace=settings.namespace, labels=settings.labels, create_namespace=False, source=_ORIGIN)
    except KubegenError:
        return None
    with built_at(_ORIGIN):  # the builders are kubegen's own check, not the user's code
        return _decide_all(manifests, settings)


def _decide_all(manifests: list[Manifest], settings: Settings) -> Plan | None:
    entries = []
    for index, manifest in enumerate(manifests):
        local = local_view(manifest.obj, settings)
        namespace = _text(dig(manifest.obj, "metadata", "namespace"))
        entries.append(Entry(index, manifest, local, namespace))
    _implicit_namespace(entries, settings)
    assign_names(entries)
    order = link(entries)
    env: dict[str, Any] = {}
    decided = Decided()
    for entry in order:
        if not entry.implicit and not decide(entry, decided, env, settings):
            return None
    return Plan(settings, entries, [e for e in order if not e.implicit])


def _check_identity(manifest: Manifest) -> None:
    obj = manifest.obj
    missing = [k for k in ("apiVersion", "kind") if not isinstance(obj.get(k), str) or not obj.get(k)]
    meta = obj.get("metadata")
    named = isinstance(meta, dict) and any(isinstance(meta.get(k), str) and meta[k] for k in ("name", "generateName"))
    if not named:
        missing.append("metadata.name")
    if missing:
        raise InputError(
            f"{manifest.locate(())}: {manifest.label} has no {' or '.join(missing)}; kubectl would reject it "
            f"and kubegen cannot write it: add {missing[0]}",
        )


def plan(manifests: list[Manifest]) -> Plan:
    """The plan of the app for ``manifests`` (raises :class:`InputError` for objects no
    Kubernetes API would accept, such as one without ``kind``)."""
    for manifest in manifests:
        _check_identity(manifest)
    objs = [m.obj for m in manifests]
    namespace = stack_namespace(objs)
    labels = common_labels(objs)
    for settings in (Settings(namespace, labels), Settings(namespace, {}), Settings(None, {})):
        result = _attempt(manifests, settings)
        if result is not None:
            return result
    raise InputError("kubegen could not write these objects as an app (a bug: please report it)")
