"""The default selector of a workload: its identity labels, never what changes per release.

A Deployment's, StatefulSet's, DaemonSet's (and a Job's hand-managed) ``spec.selector``
is immutable: a selector that holds a version, an environment or a build id breaks
the next ``kubectl apply`` (and Argo CD's sync) the day that value changes. So when
``selector=`` is not given, kubegen selects pods by the labels that say *which* app
they are, and every Service ``expose()`` makes selects by the same ones:

1. With the recommended labels (``app.kubernetes.io/name`` present): the identity
   trio ``app.kubernetes.io/name``, ``app.kubernetes.io/instance`` and
   ``app.kubernetes.io/component``, those of them the pods have.
2. Otherwise every pod label except the per-release ones: a key (or the part after
   its ``prefix/``) that is ``version`` or ends in ``-version``/``_version``/``.version``,
   or one of :data:`PER_RELEASE` (``env``, ``environment``, ``stage``, ``chart``,
   ``heritage``, ``managed-by``, ``commit``, ``build``, ``revision``, ``date``, ...).
   So ``{app: web, track: canary}`` keeps both (a canary and a stable Deployment stay
   apart) and ``{app: web, version: 1.2.4}`` selects ``{app: web}``.

Stack-wide ``labels=`` are never part of a selector (they are added to objects and pod
templates only). An explicit ``selector=`` always wins.
"""

from __future__ import annotations

from collections.abc import Mapping

from kubegen.errors import BuilderError

RECOMMENDED_IDENTITY = ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component")

PER_RELEASE = frozenset({
    "version", "env", "environment", "stage", "chart", "heritage", "managed-by",
    "commit", "git-commit", "git-sha", "sha", "build", "build-id", "build-number", "revision",
    "date", "timestamp", "deployed-at", "tag", "image-tag", "pod-template-hash",
    "controller-revision-hash", "pod-template-generation",
})
"""Label names (the part after ``prefix/``) that change from release to release or
between environments: never in a default selector."""


def per_release(key: str) -> bool:
    """Whether a label key names something that changes per release or environment."""
    name = key.rsplit("/", 1)[-1].lower()
    return name in PER_RELEASE or name.endswith(("-version", "_version", ".version"))


def default_selector(labels: Mapping[str, str], owner: str = "workload", *, immutable: bool = True) -> dict[str, str]:
    """The selector a workload with pod ``labels`` gets when ``selector=`` is not given.

    Pod ``labels`` that are all per-release raise :class:`BuilderError` for an
    ``immutable`` selector (a controller's); a Service's selector (``immutable=False``,
    a bare Pod's ``expose()``) then takes all of them.
    """
    if "app.kubernetes.io/name" in labels:
        return {k: labels[k] for k in RECOMMENDED_IDENTITY if k in labels}
    chosen = {k: v for k, v in labels.items() if not per_release(k)}
    if not chosen and not immutable:
        return dict(labels)
    if labels and not chosen:
        raise BuilderError(
            f"{owner}: its pod labels {dict(labels)} only say which release or environment it is, "
            "and a selector is immutable; add an identity label (app=NAME, or app.kubernetes.io/name=NAME) "
            "or give selector= explicitly"
        )
    return chosen
