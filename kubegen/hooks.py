"""GitOps annotations: Argo CD sync hooks and waves, Helm hooks, and ``generateName``.

Facts shared by the builders (:class:`kubegen.model.hook.Hook`, ``sync_wave=``) and the
``hook`` and ``generate-name`` checks, so both judge an annotation the same way.

How the tools read them (facts from Argo CD's gitops-engine and Helm's release code):

- ``argocd.argoproj.io/hook``: comma-separated phases, each exactly one of
  :data:`ARGOCD_PHASES` (case matters); Argo CD ignores any other word, so a misspelt
  phase makes an ordinary resource of a hook.
- ``argocd.argoproj.io/hook-delete-policy``: comma-separated :data:`ARGOCD_DELETE_POLICIES`.
- ``argocd.argoproj.io/sync-wave``: an integer (``"-1"``, ``"5"``); anything else is
  read as wave 0.
- ``helm.sh/hook``: comma-separated :data:`HELM_EVENTS` (Helm lower-cases and trims each);
  one unknown event and Helm skips the object altogether (``skipping unknown hook``).
- ``helm.sh/hook-weight``: an integer; anything else is read as 0.
- ``helm.sh/hook-delete-policy``: comma-separated :data:`HELM_DELETE_POLICIES`.

``kubectl apply`` cannot create an object that has a ``generateName`` and no ``name``
(``error: from NAME: cannot use generate name with apply``): ``kubectl create`` or a
tool that creates hooks (Argo CD, Helm) must.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubegen import facts
from kubegen.names import DIGITS

ARGOCD_HOOK = "argocd.argoproj.io/hook"
ARGOCD_DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"
ARGOCD_SYNC_WAVE = "argocd.argoproj.io/sync-wave"
HELM_HOOK = "helm.sh/hook"
HELM_WEIGHT = "helm.sh/hook-weight"
HELM_DELETE_POLICY = "helm.sh/hook-delete-policy"

ARGOCD_PHASES = ("PreSync", "Sync", "PostSync", "SyncFail", "PreDelete", "PostDelete", "Skip")
ARGOCD_DELETE_POLICIES = ("HookSucceeded", "HookFailed", "BeforeHookCreation")
HELM_EVENTS = ("pre-install", "post-install", "pre-upgrade", "post-upgrade", "pre-delete", "post-delete",
               "pre-rollback", "post-rollback", "test", "test-success")
HELM_DELETE_POLICIES = ("before-hook-creation", "hook-succeeded", "hook-failed")

HOOK_KEYS = (ARGOCD_HOOK, HELM_HOOK)
# Every annotation this module knows, in the order builders write them.
KEYS = (ARGOCD_HOOK, ARGOCD_DELETE_POLICY, ARGOCD_SYNC_WAVE, HELM_HOOK, HELM_WEIGHT, HELM_DELETE_POLICY)

_INT = (-(2**63), 2**63 - 1)  # Go's int on the 64-bit machines the tools run on


def is_hook(annotations: Mapping[Any, object]) -> bool:
    """Whether an Argo CD or Helm hook annotation marks the object as one the tool creates."""
    return any(isinstance(annotations.get(key), str) for key in HOOK_KEYS)


def split(value: str) -> list[str]:
    """The items of a comma-separated annotation value, as the tools read them (trimmed)."""
    return [item.strip() for item in value.split(",")]


def _choices(key: str, value: str, choices: tuple[str, ...], *, fold: bool, why: str) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for item in split(value):
        seen = item.lower() if fold else item
        if seen in choices:
            continue
        close = facts.suggest(item, choices) if item else None
        hint = f"; did you mean {close!r}?" if close else ""
        shown = f"{item!r}" if item else "an empty item"
        found.append((f"{key}: {shown} is not one of {', '.join(choices)}{hint}; {why}", close))
    return found


def _integer(key: str, value: str, why: str) -> list[tuple[str, str | None]]:
    digits = value[1:] if value[:1] in ("+", "-") else value
    if not digits or not DIGITS.issuperset(digits):  # [+-]?[0-9]+, as Argo CD and Helm parse it
        return [(f"{key}: {value!r} is not an integer (such as \"-1\" or \"5\"); {why}", None)]
    if not _INT[0] <= int(value) <= _INT[1]:
        return [(f"{key}: {value!r} is beyond a 64-bit integer; {why}", None)]
    return []


_WHY = {
    ARGOCD_HOOK: "Argo CD ignores it, so the object is not the hook you meant",
    ARGOCD_DELETE_POLICY: "Argo CD ignores it and keeps its default (BeforeHookCreation)",
    ARGOCD_SYNC_WAVE: "Argo CD reads it as wave 0",
    HELM_HOOK: "Helm skips an object with an unknown hook event altogether",
    HELM_WEIGHT: "Helm reads it as weight 0",
    HELM_DELETE_POLICY: "Helm ignores it",
}


def value_problems(key: str, value: object) -> list[tuple[str, str | None]]:
    """What is wrong with one GitOps annotation's value: (message, suggested item) pairs;
    empty for a good value or an annotation this module does not know."""
    if key not in _WHY:
        return []
    why = _WHY[key]
    if not isinstance(value, str):
        return [(f"{key}: annotation values are strings (got {type(value).__name__} {value!r}); quote it", None)]
    if key == ARGOCD_HOOK:
        return _choices(key, value, ARGOCD_PHASES, fold=False, why=why)
    if key == ARGOCD_DELETE_POLICY:
        return _choices(key, value, ARGOCD_DELETE_POLICIES, fold=False, why=why)
    if key == HELM_HOOK:
        return _choices(key, value, HELM_EVENTS, fold=True, why=why)
    if key == HELM_DELETE_POLICY:
        return _choices(key, value, HELM_DELETE_POLICIES, fold=True, why=why)
    return _integer(key, value, why)  # Go's strconv.Atoi, as both tools read it: no spaces


def generate_name_only(metadata: Mapping[str, object]) -> str | None:
    """The ``generateName`` of an object that has no ``name`` (None: it has a name, or neither)."""
    name, generate = metadata.get("name"), metadata.get("generateName")
    if isinstance(name, str) and name:
        return None
    return generate if isinstance(generate, str) and generate else None


def mask_trailing_dash(prefix: str) -> str:
    """What the API server validates a ``generateName`` as: a trailing ``-`` is allowed,
    because random characters follow (the server's own quirk replaces the last two
    characters with ``a``)."""
    return prefix[:-2] + "a" if len(prefix) > 1 and prefix.endswith("-") else prefix


__all__ = [
    "ARGOCD_DELETE_POLICIES", "ARGOCD_DELETE_POLICY", "ARGOCD_HOOK", "ARGOCD_PHASES", "ARGOCD_SYNC_WAVE",
    "HELM_DELETE_POLICIES", "HELM_DELETE_POLICY", "HELM_EVENTS", "HELM_HOOK", "HELM_WEIGHT", "HOOK_KEYS", "KEYS",
    "generate_name_only", "is_hook", "mask_trailing_dash", "split", "value_problems",
]
