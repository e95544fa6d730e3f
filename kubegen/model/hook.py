"""Argo CD sync hooks and Helm hooks on an object (``hook=`` of every object builder,
see :mod:`kubegen.model.meta`): ``Hook.argocd("PreSync") | Hook.helm("pre-install")``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from kubegen import hooks
from kubegen.errors import BuilderError, reject
from kubegen.model._base import Builder, str_list, typed_fields
from kubegen.model.meta import int_or_none


def _policies(value: Iterable[str] | str | None) -> Any:
    """Converter: one string or a list of them."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return str_list(value)


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
        if not int_or_none(self.helm_weight):
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


__all__ = ["Hook"]
