"""Stack: the whole app (every object, one namespace, common labels), rendered at once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar, overload

import attrs

from kubegen import facts
from kubegen.errors import BuilderTypeError, reject
from kubegen.location import Location
from kubegen.model._base import EMPTY, FrozenDict, check, check_labels, frozen_str_map, source_field, typed_fields
from kubegen.record import MutableRecord


class Buildable(Protocol):
    """What a Stack holds: any builder (``to_dict()`` plus the user's ``source`` line)."""

    @property
    def source(self) -> Location: ...

    def to_dict(self) -> dict[str, Any]: ...


B = TypeVar("B", bound=Buildable)


def _is_object(obj: object) -> bool:
    if callable(getattr(obj, "to_dict", None)) and isinstance(getattr(obj, "source", None), Location):
        return True
    hint = "wrap a plain manifest dict in kubegen.Raw(manifest=...)" if isinstance(obj, dict) else (
        "add the object that holds it (a Container goes into a Deployment's containers=[...])"
        if callable(getattr(obj, "to_dict", None)) else "add kubegen objects (Deployment(...), Service(...), ...)"
    )
    reject(BuilderTypeError(f"Stack.add: {obj!r} is not an object kubegen can render; {hint}"))
    return False


@attrs.define(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Stack(MutableRecord):
    """Everything one app deploys, rendered, checked and ordered together.

    - ``name``: a name for the stack, for your own use. Default: none.
    - ``namespace``: put every namespaced object without its own namespace here.
      Default: none (objects go to kubectl's current namespace).
    - ``labels``: common labels added to every object's metadata and to pod templates
      (never to selectors, which are immutable on Deployments). Default: none.
    - ``create_namespace``: also emit the Namespace object. Default: True.
    - ``objects``: initial objects; add more with :meth:`add`. Default: none.
    """

    name: str | None = None
    namespace: str | None = None
    labels: FrozenDict = attrs.field(default=EMPTY, converter=frozen_str_map)
    create_namespace: bool = True
    _objects: list[Buildable] = attrs.field(factory=list, alias="objects")
    source: Location = source_field(init=True)

    def __attrs_post_init__(self) -> None:
        if self.namespace is not None:
            check("Stack", "namespace", self.namespace, facts.dns1123_label_problems)
        check_labels("Stack", "labels", self.labels)
        if isinstance(self._objects, (str, bytes, dict)) or not hasattr(self._objects, "__iter__"):
            reject(BuilderTypeError(f"Stack: objects must be a list (got {self._objects!r}); write objects=[...]"))
            self._objects = []
        self._objects = [o for o in self._objects if _is_object(o)]

    @property
    def objects(self) -> tuple[Buildable, ...]:
        """The objects added so far, in the order they were added (read-only); an
        :class:`External` is among them but is never rendered."""
        return tuple(self._objects)

    @property
    def externals(self) -> tuple[Any, ...]:
        """The :class:`External` declarations: what the cluster has without this stack."""
        return tuple(o for o in self._objects if getattr(o, "external", False))

    @overload
    def add(self, obj: B, /) -> B: ...

    @overload
    def add(self, obj: Buildable, obj2: Buildable, /, *more: Buildable) -> tuple[Buildable, ...]: ...

    def add(self, *objs: Buildable) -> Any:
        """Add objects; returns the object (or a tuple of them), so you can write
        ``web = stack.add(Deployment(...))``."""
        self._objects.extend(o for o in objs if _is_object(o))
        return objs[0] if len(objs) == 1 else objs

    def extend(self, objs: Iterable[Buildable]) -> None:
        """Add every object of ``objs``."""
        self._objects.extend(o for o in objs if _is_object(o))
