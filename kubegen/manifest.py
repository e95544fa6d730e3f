"""Manifests: plain dicts in the API's JSON shape, each with where it came from.

Everything after this layer (checks, order, writer, explain) works on
:class:`Manifest`, whether the object was built in Python or read from YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kubegen import facts
from kubegen.errors import KubegenError
from kubegen.location import Location, Origin, Path

if TYPE_CHECKING:
    from kubegen.model.stack import Stack


class Manifest:
    """One Kubernetes object: ``obj`` is the API-shaped dict, ``origin`` where it came from.

    ``typed`` is True when a kubegen builder produced ``obj`` (so its shape is known
    to be right by construction and the ``schema`` rule need not walk it); not for
    :class:`~kubegen.Raw` and not when the builder (or a container of it) was given raw
    fields (``extra``, ``spec_extra``, ``pod_extra``), which the checks must read.
    """

    __slots__ = ("obj", "origin", "typed")

    def __init__(self, obj: dict[str, Any], origin: Origin, *, typed: bool = False) -> None:
        self.obj = obj
        self.origin = origin
        self.typed = typed

    @property
    def kind(self) -> str:
        kind = self.obj.get("kind")
        return kind if isinstance(kind, str) else ""

    @property
    def api_version(self) -> str:
        value = self.obj.get("apiVersion")
        return value if isinstance(value, str) else ""

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.obj.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def name(self) -> str:
        name = self.metadata.get("name")
        return name if isinstance(name, str) else ""

    @property
    def namespace(self) -> str | None:
        ns = self.metadata.get("namespace")
        return ns if isinstance(ns, str) else None

    @property
    def label(self) -> str:
        """How messages name the object: ``Service 'web'`` (``Job 'migrate-*'`` for one with
        only a generateName)."""
        name = self.name
        if not name:
            generate = self.metadata.get("generateName")
            if isinstance(generate, str) and generate:
                name = generate + "*"
        return f"{self.kind or 'object'} {name!r}"

    def label_beside(self, other: Manifest) -> str:
        """``label``, plus the namespace when ``other`` (named in the same message) is in
        another one: ``Service 'web' in namespace 'dev'``."""
        mine, theirs = self.namespace or "default", other.namespace or "default"
        return self.label if mine == theirs else f"{self.label} in namespace {mine!r}"

    def locate(self, path: Path = ()) -> Location:
        """file:line of a field (or of the object when ``path`` is empty)."""
        return self.origin.locate(path)

    def __repr__(self) -> str:
        return f"<Manifest {self.kind}/{self.name} from {self.origin.locate(())}>"


def compile_stack(stack: Stack) -> list[Manifest]:
    """Turn a Stack's builders into manifests: namespace and common labels applied."""
    namespace = stack.namespace
    common = dict(stack.labels)
    manifests: list[Manifest] = []
    if namespace and stack.create_namespace and not any(
        getattr(o, "kind", None) == "Namespace" and getattr(o, "name", None) == namespace
        for o in stack.objects
    ):
        ns_obj: dict[str, Any] = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
        if common:
            ns_obj["metadata"]["labels"] = dict(common)
        manifests.append(Manifest(ns_obj, stack.source.relative_to(stack.source), typed=True))
    anchor = stack.source
    for builder in stack.objects:
        if getattr(builder, "external", False):
            continue  # an External only tells the checks what the cluster has
        origin = builder.source.relative_to(anchor)
        try:
            obj = stack_object(builder, namespace, common)
        except KubegenError as exc:
            exc.location = origin  # a problem only rendering shows is still the object's
            raise
        typed = type(builder).__name__ != "Raw" and not _has_raw_fields(builder)
        manifests.append(Manifest(obj, origin, typed=typed))
    return manifests


def stack_object(builder: Any, namespace: str | None, common: Mapping[str, str]) -> dict[str, Any]:
    """One builder's object as a Stack with ``namespace`` and ``common`` labels writes it
    (what :func:`compile_stack` does for each object; ``kubegen import`` checks its
    spellings with it, one object at a time)."""
    obj: dict[str, Any] = builder.to_dict()
    kind = obj.get("kind")
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        if namespace and kind not in facts.CLUSTER_SCOPED and "namespace" not in meta:
            _set_namespace(meta, namespace)
        if namespace and kind == "ClusterRoleBinding":
            _subject_namespaces(obj, namespace)
        if common:
            meta["labels"] = {**common, **meta.get("labels", {})}
            template = _pod_template(obj)
            if template is not None and template is not obj:
                tmeta = template.setdefault("metadata", {})
                tmeta["labels"] = {**common, **tmeta.get("labels", {})}
    return obj


def _has_raw_fields(builder: object, depth: int = 0) -> bool:
    """Whether a builder, or a builder among its field values, holds non-empty ``*extra``
    fields (raw API fields kubegen does not model)."""
    extras, others = _field_names(type(builder))
    for name in extras:
        if getattr(builder, name):
            return True
    if depth < 2:
        for name in others:
            value = getattr(builder, name)
            if value and isinstance(value, tuple) and any(
                    hasattr(type(item), "__attrs_attrs__") and _has_raw_fields(item, depth + 1) for item in value):
                return True
    return False


_FIELD_NAMES: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _field_names(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A builder class's ``*extra`` field names and its other field names (worked out once per class)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        fields = [field.name for field in getattr(cls, "__attrs_attrs__", ())]
        names = _FIELD_NAMES[cls] = (tuple(n for n in fields if n.endswith("extra")),
                                     tuple(n for n in fields if not n.endswith("extra")))
    return names


def _subject_namespaces(obj: dict[str, Any], namespace: str) -> None:
    """A ClusterRoleBinding's ServiceAccount subjects without a namespace are the
    Stack's accounts (the API requires the namespace there)."""
    for subject in obj.get("subjects") or ():
        if isinstance(subject, dict) and subject.get("kind") == "ServiceAccount" and "namespace" not in subject:
            subject["namespace"] = namespace


def _set_namespace(meta: dict[str, Any], namespace: str) -> None:
    # Keep metadata's order readable: name, namespace, then the rest.
    rest = {k: v for k, v in meta.items() if k != "name"}
    name = meta.get("name")
    meta.clear()
    if name is not None:
        meta["name"] = name
    meta["namespace"] = namespace
    meta.update(rest)


def _pod_template(obj: dict[str, Any]) -> dict[str, Any] | None:
    path = facts.POD_TEMPLATE_PATHS.get(obj.get("kind", ""))
    if path is None:
        return None
    node: Any = obj
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def value_at(obj: Any, path: Path) -> Any:
    """The value at ``path`` in an API-shaped dict (None when a step is missing)."""
    node = obj
    for step in path:
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return None
    return node


def pod_template(manifest: Manifest) -> dict[str, Any] | None:
    """The pod template (``metadata`` + ``spec``) of a workload, or the Pod itself."""
    return _pod_template(manifest.obj)


def pod_template_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    """:func:`pod_template` of an object's dict (no :class:`Manifest` needed)."""
    return _pod_template(obj)

