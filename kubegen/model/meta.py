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

from collections.abc import Iterable
from typing import Any

import attrs

from kubegen import hooks
from kubegen.errors import BuilderError, reject
from kubegen.model._base import Builder, metadata, str_list, typed_fields


def _policies(value: Iterable[str] | str | None) -> Any:
    """Converter: one string or a list of them."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return str_list(value)


def _is_int(value: Any) -> bool:
    """None or an int (a bool is no int here)."""
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


@attrs.frozen(kw_only=True, eq=False, repr=False, field_transformer=typed_fields)
class Hook(Builder):
    """When a GitOps tool creates the object: an Argo CD sync hook, a Helm hook, or both
    (``Hook.argocd(...) | Hook.helm(...)``). Written as the tools' annotations.

    - ``argocd_phases``: ``PreSync``, ``Sync``, ``PostSync``, ``SyncFail``, ``PreDelete``,
      ``PostDelete`` or ``Skip`` (``argocd.argoproj.io/hook``). Default: none.
    - ``argocd_delete_policy``: ``HookSucceeded``, ``HookFailed``, ``BeforeHookCreation``
      (``argocd.argoproj.io/hook-delete-policy``). Default: none (Argo CD's BeforeHookCreation).
    - ``helm_events``: ``pre-install``, ``post-install``, ``pre-upgrade``, ``post-upgrade``,
      ``pre-delete``, ``post-delete``, ``pre-rollback``, ``post-rollback``, ``test``
      (``helm.sh/hook``). Default: none.
    - ``helm_weight``: order among hooks of one event (``helm.sh/hook-weight``). Default: none (0).
    - ``helm_delete_policy``: ``before-hook-creation``, ``hook-succeeded``, ``hook-failed``
      (``helm.sh/hook-delete-policy``). Default: none.
    """

    argocd_phases: tuple[str, ...] = attrs.field(default=(), converter=_policies)
    argocd_delete_policy: tuple[str, ...] = attrs.field(default=(), converter=_policies)
    helm_events: tuple[str, ...] = attrs.field(default=(), converter=_policies)
    helm_weight: int | None = None
    helm_delete_policy: tuple[str, ...] = attrs.field(default=(), converter=_policies)

    def __attrs_post_init__(self) -> None:
        if not (self.argocd_phases or self.helm_events):
            reject(BuilderError("Hook: give Argo CD phases (Hook.argocd('PreSync')) or Helm events "
                                "(Hook.helm('pre-install'))"))
        if self.argocd_delete_policy and not self.argocd_phases:
            reject(BuilderError("Hook: argocd_delete_policy needs argocd_phases"))
        if (self.helm_weight is not None or self.helm_delete_policy) and not self.helm_events:
            reject(BuilderError("Hook: helm_weight and helm_delete_policy need helm_events"))
        if not _is_int(self.helm_weight):
            return  # the field's type check reports it
        for key, value in self.annotations().items():
            problems = hooks.value_problems(key, value)
            if problems:
                reject(BuilderError(f"Hook: {problems[0][0]}"))

    @classmethod
    def argocd(cls, *phases: str, delete_policy: Iterable[str] | str | None = None) -> Hook:
        """An Argo CD sync hook: ``Hook.argocd("PreSync", delete_policy="HookSucceeded")``."""
        return cls(argocd_phases=phases, argocd_delete_policy=delete_policy)

    @classmethod
    def helm(cls, *events: str, weight: int | None = None, delete_policy: Iterable[str] | str | None = None) -> Hook:
        """A Helm hook: ``Hook.helm("pre-install", "pre-upgrade", weight=-5)``."""
        return cls(helm_events=events, helm_weight=weight, helm_delete_policy=delete_policy)

    def __or__(self, other: Hook) -> Hook:
        """Both tools' hooks on one object: ``Hook.argocd("PreSync") | Hook.helm("pre-install")``."""
        if not isinstance(other, Hook):
            return NotImplemented
        fields = {}
        for field in attrs.fields(Hook):
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            if mine not in ((), None) and theirs not in ((), None) and mine != theirs:
                raise BuilderError(f"Hook: {field.name} is given twice ({mine!r} and {theirs!r})")
            fields[field.name] = theirs if mine in ((), None) else mine
        return Hook(**fields)

    def annotations(self) -> dict[str, str]:
        """The annotations the tools read."""
        found: dict[str, str] = {}
        for key, value in ((hooks.ARGOCD_HOOK, self.argocd_phases), (hooks.ARGOCD_DELETE_POLICY,
                           self.argocd_delete_policy), (hooks.HELM_HOOK, self.helm_events),
                           (hooks.HELM_DELETE_POLICY, self.helm_delete_policy)):
            if value:
                found[key] = ",".join(value)
        if self.helm_weight is not None:
            found[hooks.HELM_WEIGHT] = str(self.helm_weight)
        return {key: found[key] for key in hooks.KEYS if key in found}


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


def _check_gitops(obj: Any, attribute: Any, value: Any) -> None:
    """Validator run once every field is set: name or generate_name, the hook's and the
    wave's annotations against ``annotations=`` (types are the fields' own checks)."""
    name, generate = obj.name, obj.generate_name
    if name and generate is None and obj.hook is None and obj.sync_wave is None:
        return  # the common case: a named object, no GitOps fields
    kind = getattr(obj, "kind", type(obj).__name__)
    owner = f"{kind} {name!r}" if name else f"{kind} {generate + '*'!r}" if isinstance(generate, str) else kind
    check_generate_name(kind if not name or not generate else owner, obj)
    if not _is_int(obj.sync_wave) or not isinstance(obj.hook, (Hook, type(None))):
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
        found = self.hook.annotations() if isinstance(self.hook, Hook) else {}
        if _is_int(self.sync_wave) and self.sync_wave is not None:
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


__all__ = ["Hook", "ObjectBuilder", "check_generate_name"]
