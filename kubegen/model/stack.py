"""Stack: the whole app (every object, one namespace, common labels), rendered at once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar, overload

import attrs

from kubegen import facts
from kubegen.errors import BuilderTypeError
from kubegen.location import Location
from kubegen.model._base import EMPTY, FrozenDict, check, check_labels, frozen_str_map, source_field


class Buildable(Protocol):
    """What a Stack holds: any builder (``to_dict()`` plus the user's ``source`` line)."""

    @property
    def source(self) -> Location: ...

    def to_dict(self) -> dict[str, Any]: ...


B = TypeVar("B", bound=Buildable)


def _check_object(obj: object) -> Buildable:
    if not callable(getattr(obj, "to_dict", None)) or not isinstance(getattr(obj, "source", None), Location):
        raise BuilderTypeError(
            f"Stack.add: {obj!r} is not a kubegen object; wrap a plain manifest dict in kubegen.Raw(...)"
        )
    return obj  # type: ignore[return-value]


@attrs.define(kw_only=True)
class Stack:
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
    source: Location = source_field()

    def __attrs_post_init__(self) -> None:
        if self.namespace is not None:
            check("Stack", "namespace", self.namespace, facts.dns1123_label_problems)
        check_labels("Stack", "labels", self.labels)
        self._objects = [_check_object(o) for o in self._objects]

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
        for obj in objs:
            self._objects.append(_check_object(obj))
        return objs[0] if len(objs) == 1 else objs

    def extend(self, objs: Iterable[Buildable]) -> None:
        """Add every object of ``objs``."""
        for obj in objs:
            self._objects.append(_check_object(obj))
