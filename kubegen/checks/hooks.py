"""GitOps rules: objects only a hook-running tool can create, and hook annotations.

- ``generate-name``: an object with ``metadata.generateName`` and no ``metadata.name``.
  ``kubectl apply`` refuses it (``cannot use generate name with apply``), and so do
  Argo CD and Flux syncing it as an ordinary resource: an **error**, unless a hook
  annotation (``argocd.argoproj.io/hook``, ``helm.sh/hook``) makes it a hook, which Argo
  CD or Helm *create* with a fresh name each time: then a **warning** that
  ``kubectl apply`` of the same file still cannot.
- ``hook``: an Argo CD or Helm annotation whose value the tool does not understand
  (a misspelt phase, a delete policy, a wave that is not an integer), with the
  closest valid value; and (warning) a delete policy on an object that is no hook.

The values and how each tool reads them are in :mod:`kubegen.hooks`; the builders'
``Hook(...)`` and ``sync_wave=`` are validated by the same functions.
"""

from __future__ import annotations

from collections.abc import Sequence

from kubegen import hooks
from kubegen.checks import Report
from kubegen.manifest import Manifest


def check_hooks(manifests: Sequence[Manifest], report: Report) -> None:
    for m in manifests:
        meta = m.obj.get("metadata")
        if not isinstance(meta, dict):
            continue
        annotations = meta.get("annotations")
        annotations = annotations if isinstance(annotations, dict) else {}
        generate = hooks.generate_name_only(meta)
        if generate is not None:
            _generate_name(m, generate, annotations, report)
        if annotations:
            _annotations(m, annotations, report)


def hook_phases(annotations: dict[object, object]) -> tuple[str, str]:
    """Which tool creates the object, and when: ``("Argo CD", "PreSync")``."""
    argo, helm = annotations.get(hooks.ARGOCD_HOOK), annotations.get(hooks.HELM_HOOK)
    if isinstance(argo, str):
        return "Argo CD", argo.strip()
    return "Helm", str(helm).strip()


def _generate_name(m: Manifest, generate: str, annotations: dict[object, object], report: Report) -> None:
    path = ("metadata", "generateName")
    head = (f"{m.label} has metadata.generateName {generate!r} and no metadata.name: kubectl apply cannot create "
            "it (error: cannot use generate name with apply)")
    if hooks.is_hook(annotations):
        tool, phases = hook_phases(annotations)
        if tool == "Argo CD" and set(hooks.split(phases)) == {"Skip"}:
            report.add("generate-name", m, f"{head}; Argo CD skips it (hook Skip) and never creates it; create it "
                       "with kubectl create -f", path, severity="warning")
            return
        report.add("generate-name", m, f"{head}; {tool} creates it as a {phases} hook, with a new name each time; "
                   "without that tool, create it with kubectl create -f", path, severity="warning")
        return
    report.add("generate-name", m, f"{head}, nor can Argo CD or Flux sync it; set metadata.name, create it with "
               f"kubectl create -f, or make it a hook that Argo CD or Helm creates ({hooks.ARGOCD_HOOK}: PreSync, "
               f"{hooks.HELM_HOOK}: pre-install)", path)


def _annotations(m: Manifest, annotations: dict[object, object], report: Report) -> None:
    for key in hooks.KEYS:
        if not isinstance(annotations.get(key), str):
            continue  # absent; or not a string, which the yaml-value or schema rule reports (one message)
        for message, _ in hooks.value_problems(key, annotations[key]):
            report.add("hook", m, f"{m.label}: {message}", ("metadata", "annotations", key))
    if hooks.is_hook(annotations):
        return
    for key in (hooks.ARGOCD_DELETE_POLICY, hooks.HELM_DELETE_POLICY):
        if key in annotations:
            report.add("hook", m, f"{m.label}: {key} has no effect: the object is no hook (add "
                       f"{hooks.ARGOCD_HOOK} or {hooks.HELM_HOOK}, or drop it)", ("metadata", "annotations", key),
                       severity="warning")


__all__ = ["check_hooks", "hook_phases"]
