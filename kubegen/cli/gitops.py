"""What ``render --output-dir`` and ``check`` share: the recorded recipe, and the options that steer it."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from kubegen.cli import usage_error
from kubegen.cli.params import Option, decorate

if TYPE_CHECKING:
    from kubegen.gitops import Recipe

F = TypeVar("F", bound=Callable[..., Any])

GITOPS_OPTIONS = (
    Option("--kustomization/--no-kustomization", dest="kustomization", default=None,
           help="Also write DIR/kustomization.yaml listing the files [default: as recorded in "
                "DIR/.kubegen-manifest, else no]."),
    Option("--force", dest="force", flag=True,
           help="Use APP, --set and --kustomization as given even where they differ from what "
                "DIR/.kubegen-manifest recorded (also: take over a directory another app rendered)."),
    Option("--unset", dest="unset", multiple=True, metavar="NAME",
           help="With --force: drop the recorded --set value NAME (repeatable)."),
    Option("--base", dest="base", metavar="REV",
           help="Judge changes a live object cannot take against DIR as committed at git revision "
                "REV (e.g. origin/main: what is deployed) instead of the files in DIR."),
    Option("--allow-recreate", dest="allow_recreate", flag=True,
           help="Report changes a live object cannot take (immutable-field) as warnings: you will "
                "delete and recreate those objects (e.g. Argo CD's Replace=true)."),
)


def gitops_options(fn: F) -> F:
    """``--kustomization/--no-kustomization``, ``--force``, ``--unset``, ``--base``, ``--allow-recreate``."""
    return decorate(GITOPS_OPTIONS, fn)  # type: ignore[no-any-return]


def require_output_dir(output_dir: str | None, **given: Any) -> None:
    """Refuse the GitOps options ``given`` without ``--output-dir`` (there is no record to use)."""
    flags = {"kustomization": "--kustomization", "force": "--force", "unset": "--unset", "base": "--base",
             "allow_recreate": "--allow-recreate", "fsync": "--fsync"}
    if output_dir is None:
        for name, flag in flags.items():
            value = given.get(name)
            if value not in (None, False, ()):
                if name == "kustomization" and value is False:
                    flag = "--no-kustomization"
                usage_error(f"{flag} needs --output-dir DIR")


class Run:
    """What a run on an output directory loads, resolved from the command line and the record.

    A plain class: a ``NamedTuple`` is built with ``exec`` at import time, which every
    ``kubegen render`` paid for (issue 12's start-up)."""

    __slots__ = ("confirm", "directory", "recipe", "recorded", "spec")

    def __init__(self, *, directory: str, recipe: Recipe, spec: str, confirm: str | None,
                 recorded: dict[str, str]) -> None:
        self.directory = directory
        """The absolute output directory."""
        self.recipe = recipe
        """This run's recipe (what the record will say)."""
        self.spec = spec
        """The APP spec to load."""
        self.confirm = confirm
        """The recorded APP ``spec`` must turn out to name (see
        :func:`kubegen.gitops.record.target_to_confirm`; None: nothing to confirm)."""
        self.recorded = recorded
        """``--set`` names taken from the record, with where (for messages)."""


def run_recipe(
    app: str | None, output_dir: str, sets: dict[str, str], unset: tuple[str, ...], kustomization: bool | None,
    force: bool,
) -> Run:
    """The run on ``output_dir``: its recipe and what to load (:class:`Run`).

    Everything is resolved before the app runs (an ``os.chdir()`` in it moves nothing).
    """
    from kubegen.gitops import RECORD_NAME, read_record, source_label
    from kubegen.gitops.record import app_to_load, resolve, target_to_confirm

    target = os.path.join(os.getcwd(), output_dir)
    record = read_record(os.path.realpath(target), output_dir) if os.path.isdir(target) else None
    recorded = record.recipe if record is not None else None
    recipe = resolve(
        recorded, target, output_dir, app=app, sets=sets, unset=unset,
        kustomization=kustomization, force=force, label_of=source_label,
    )
    assert recipe.app is not None
    confirm = None if force else target_to_confirm(recorded, app, target)
    where = f"recorded in {os.path.join(output_dir, RECORD_NAME)}"
    return Run(
        directory=target, recipe=recipe, spec=app if app is not None else app_to_load(recipe.app, target),
        confirm=confirm, recorded={name: where for name in recipe.sets if name not in sets},
    )
