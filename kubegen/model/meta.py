"""What every object builder's metadata may carry for GitOps tools: ``generate_name=``
instead of ``name=``, a :class:`Hook` (Argo CD sync hooks, Helm hooks) and ``sync_wave=``.

::

    Job(generate_name="db-migrate-", containers=[...],
        hook=Hook.argocd("PreSync", delete_policy="BeforeHookCreation"))
    ConfigMap(name="settings", data={...}, sync_wave=-1)

An object with only a ``generate_name`` gets a new name from the API server each time it
is created, which ``kubectl create`` and hook-running tools do and ``kubectl apply``
cannot: the ``generate-name`` check reports it (an error, a warning on a hook). The
annotation values are validated with the same rules as the ``hook`` check
(:mod:`kubegen.hooks`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from kubegen import hooks
from kubegen.errors import BuilderError, reject
from kubegen.model._base import Builder, metadata, typed_fields

if TYPE_CHECKING:
    from kubegen.model.hook import Hook


def int_or_none(value: Any) -> bool:
    """None or an int (a bool is no int here)."""
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def check_generate_name(owner: str, obj: Any) -> None:
    """``name=`` or ``generate_name=``: exactly one (``owner`` names the builder)."""
    name, generate = obj.name, obj.generate_name
    if generate is not None and not isinstance(generate, str):
        return  # the field's type check reports it
    if name and generate:
        reject(BuilderError(f"{owner}: give name= or generate_name=, not both (the API server ignores "
                            f"generateName when a name is set)"))
    elif not name and not generate:
        reject(BuilderError(f"{owner}: name= is required (or generate_name='prefix-' for an object the API "
                            "server names when it is created, such as a hook Job)"))


def _is_hook(value: Any) -> bool:
    """Whether ``value`` is a :class:`Hook` (its module is imported only by an app that
    makes one: nothing else can be one)."""
    from kubegen.model.hook import Hook

    return isinstance(value, Hook)


def _check_gitops(obj: Any, attribute: Any, value: Any) -> None:
    """Validator run once every field is set: name or generate_name, the hook's and the
    wave's annotations against ``annotations=`` (types are the fields' own checks)."""
    name, generate = obj.name, obj.generate_name
    if name and generate is None and obj.hook is None and obj.sync_wave is None:
        return  # the common case: a named object, no GitOps fields
    kind = getattr(obj, "kind", type(obj).__name__)
    owner = f"{kind} {name!r}" if name else f"{kind} {generate + '*'!r}" if isinstance(generate, str) else kind
    check_generate_name(kind if not name or not generate else owner, obj)
    if not int_or_none(obj.sync_wave) or not (obj.hook is None or _is_hook(obj.hook)):
        return
    if obj.sync_wave is not None:
        for message, _ in hooks.value_problems(hooks.ARGOCD_SYNC_WAVE, str(obj.sync_wave)):
            reject(BuilderError(f"{owner}: sync_wave: {message}"))
    given = getattr(obj, "annotations", {})
    for key in obj.gitops_annotations():
        if key in given:
            reject(BuilderError(f"{owner}: annotation {key!r} is also set by hook= or sync_wave=; set it in one "
                                "place only"))


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class ObjectBuilder(Builder):
    """Base of the builders of whole objects: the GitOps fields of their metadata.

    - ``generate_name``: instead of ``name``, a prefix the API server completes with random
      characters when the object is *created* (``kubectl create``, an Argo CD or Helm hook;
      ``kubectl apply`` cannot, see the ``generate-name`` check). Default: none.
    - ``hook``: a :class:`Hook`: the object is an Argo CD or Helm hook. Default: none.
    - ``sync_wave``: Argo CD's ``argocd.argoproj.io/sync-wave`` (lower waves are applied
      first). Default: none (wave 0).
    """

    generate_name: str | None = None
    hook: Hook | None = None
    sync_wave: int | None = attrs.field(default=None, validator=_check_gitops)

    @property
    def label(self) -> str:
        """How messages name the object: ``Job 'migrate'`` (``Job 'migrate-*'`` for a generate_name)."""
        name = self.name or f"{self.generate_name}*"  # type: ignore[attr-defined]
        return f"{getattr(self, 'kind', type(self).__name__)} {name!r}"

    def gitops_annotations(self) -> dict[str, str]:
        found = self.hook.annotations() if self.hook is not None and _is_hook(self.hook) else {}
        if int_or_none(self.sync_wave) and self.sync_wave is not None:
            found[hooks.ARGOCD_SYNC_WAVE] = str(self.sync_wave)
        return found

    def object_meta(self, *, cluster_scoped: bool = False) -> dict[str, Any]:
        """``metadata``: ``name`` (or ``generateName``), namespace, labels, annotations with
        the hook's and the sync wave's."""
        own: Any = self
        namespace = None if cluster_scoped else own.namespace
        annotations = own.annotations
        if self.hook is not None or self.sync_wave is not None:
            annotations = {**annotations, **self.gitops_annotations()}
        meta = metadata(own.name, namespace, own.labels, annotations)
        if self.generate_name:
            del meta["name"]
            meta = {"generateName": self.generate_name, **meta}
        return meta


__all__ = ["ObjectBuilder", "check_generate_name", "int_or_none"]
