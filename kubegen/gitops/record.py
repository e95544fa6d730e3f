"""The ownership record ``.kubegen-manifest``: the files kubegen owns, and how it rendered them.

It lists every file kubegen wrote with its sha256, and records the APP, the ``--set`` values and ``--kustomization`` of
the render that wrote the directory (the *recipe*). ``kubegen check --output-dir DIR``
and ``kubegen render --output-dir DIR`` take from it what the command line does not
give, so a CI job cannot forget ``--set env=prod`` and compare prod with dev, and
forgetting ``--kustomization`` does not delete ``kustomization.yaml``. What the
command line gives must agree with the record, unless ``--force``: a directory
rendered by another app, or with other values, is never overwritten by accident.

The APP is recorded relative to the output directory (``../../shop.py:stack``), so
it means the same in every checkout; a module APP (``pkg.deploy:stack``) as it is.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Callable, Mapping, Sequence

import attrs

from kubegen.errors import KubegenError, UsageError
from kubegen.gitops.files import NotRegular, read_regular
from kubegen.gitops.layout import KUSTOMIZATION_NAME, RECORD_NAME, is_owned_path, project_root, sha256

RECORD_FORMAT = 2
"""Format 1 (kubegen 0.1) kept the recipe as one ``source`` string; it is still read."""


def _sorted(values: Mapping[str, str]) -> dict[str, str]:
    return dict(sorted(dict(values).items()))


@attrs.frozen(kw_only=True)
class Recipe:
    """How a directory is rendered.

    - ``app``: the APP as recorded (a path relative to the output directory, with
      ``:NAME`` if one was given, or ``package.module:NAME``); ``None`` when the
      directory was written by a library call that named no app.
    - ``sets``: the ``--set`` values, by name.
    - ``kustomization``: whether ``kustomization.yaml`` is written.
    - ``label``: how file headers name the app (project-relative; no per-run values).
    """

    app: str | None = None
    sets: Mapping[str, str] = attrs.field(factory=dict, converter=_sorted)
    kustomization: bool = False
    label: str = ""

    def command(self, directory: str, *, extra: Sequence[str] = ()) -> str:
        """The ``kubegen render`` command line that renders this recipe into ``directory``."""
        words = ["kubegen", "render"]
        if self.app is not None:
            words.append(app_to_load(self.app, directory))
        for name, value in self.sets.items():
            words += ["--set", f"{name}={value}"]
        words += ["--output-dir", directory]
        if self.kustomization:
            words.append("--kustomization")
        return shlex.join([*words, *extra])


def split_app(spec: str) -> tuple[str, str]:
    """``path/app.py:NAME`` -> (``path/app.py``, ``NAME``); ``NAME`` may be empty."""
    path, sep, attr = spec.rpartition(":")
    if not sep or os.sep in attr or attr.endswith(".py"):
        return spec, ""
    return path, attr


def is_file_app(path: str) -> bool:
    """Whether an APP's path part names a file (as :mod:`kubegen.appload` decides)."""
    return path.endswith(".py") or os.sep in path or os.path.exists(path)


def app_for_record(spec: str, directory: str) -> str:
    """The APP as the record keeps it: a file relative to ``directory`` (absolute path)."""
    path, attr = split_app(spec)
    if is_file_app(path):
        path = os.path.relpath(os.path.abspath(path), os.path.abspath(directory)).replace(os.sep, "/")
    return f"{path}:{attr}" if attr else path


def app_to_load(recorded: str, directory: str) -> str:
    """The recorded APP as a spec to load from the working directory."""
    path, attr = split_app(recorded)
    if path.endswith(".py") or "/" in path:
        full = os.path.normpath(os.path.join(os.path.abspath(directory), path))
        rel = os.path.relpath(full)
        path = full if rel.startswith("..") else rel
    return f"{path}:{attr}" if attr else path


def _same_app(given: str, recorded: str, directory: str) -> bool:
    given_path, given_attr = split_app(app_for_record(given, directory))
    recorded_path, recorded_attr = split_app(recorded)
    if given_attr and recorded_attr and given_attr != recorded_attr:
        return False
    if is_file_app(given_path) or is_file_app(recorded_path):
        join = os.path.join
        return os.path.realpath(join(directory, given_path)) == os.path.realpath(join(directory, recorded_path))
    return given_path == recorded_path


def resolve(
    recorded: Recipe | None,
    directory: str,
    shown: str,
    *,
    app: str | None,
    sets: Mapping[str, str],
    unset: Sequence[str] = (),
    kustomization: bool | None,
    force: bool,
    label_of: Callable[[str], str],
) -> Recipe:
    """The recipe of this run: the command line's values, the record's where it gives none.

    Raises :class:`UsageError` when there is no APP at all, or when a given value
    differs from the recorded one and ``force`` is false (the message lists each
    difference and both ways out). With ``force``, given values replace recorded
    ones, ``unset`` names drop, and the rest is kept.
    """
    old = recorded or Recipe()
    if app is None and old.app is None:
        where = f"{shown} records no app" if recorded is not None else f"{shown} has no {RECORD_NAME} to take it from"
        raise UsageError(f"APP is required: {where}; pass it, e.g. kubegen render app.py --output-dir {shown}")
    differences: list[str] = []
    if app is not None and old.app is not None and not _same_app(app, old.app, directory):
        differences.append(f"APP: rendered from {app_to_load(old.app, directory)}, not {app}")
    for name, value in sets.items():
        if name not in old.sets:
            differences.append(f"--set {name}={value}: not among the recorded values")
        elif old.sets[name] != value:
            differences.append(f"--set {name}={value}: recorded {name}={old.sets[name]}")
    for name in unset:
        if name in old.sets:
            differences.append(f"--unset {name}: recorded {name}={old.sets[name]}")
    if kustomization is not None and recorded is not None and kustomization != old.kustomization:
        flag = "--kustomization" if kustomization else "--no-kustomization"
        differences.append(f"{flag}: recorded {'with' if old.kustomization else 'without'} kustomization.yaml")
    if differences and recorded is not None and not force:
        listing = "".join(f"\n  {d}" for d in differences)
        raise UsageError(
            f"{shown} was rendered with: {old.command(shown)}\nthis run differs:{listing}\n"
            "Leave those options out to render as recorded, or pass --force to render with them "
            "(kubegen then records the new values)."
        )
    merged = {k: v for k, v in old.sets.items() if k not in unset}
    merged.update(sets)
    chosen = old.app
    if app is not None and (old.app is None or not _same_app(app, old.app, directory)
                            or (force and target_to_confirm(old, app, directory) is not None)):
        chosen = app_for_record(app, directory)  # the same app keeps its recorded spelling: no header churn
    assert chosen is not None
    return Recipe(
        app=chosen,
        sets=merged,
        kustomization=old.kustomization if kustomization is None else kustomization,
        label=label_of(app_to_load(chosen, directory)),
    )


def target_to_confirm(recorded: Recipe | None, app: str | None, directory: str) -> str | None:
    """The recorded APP (as a spec to load) that the given ``app`` must turn out to name, or None.

    ``app.py`` and ``app.py:prod`` are the same file, but the same app only if ``prod``
    is the stack ``app.py`` alone finds; that is known only once the file is loaded
    (:func:`kubegen.appload.load_stacks` checks it, ``same_target_as=``).
    """
    if app is None or recorded is None or recorded.app is None or not _same_app(app, recorded.app, directory):
        return None
    given_attr, recorded_attr = split_app(app)[1], split_app(recorded.app)[1]
    if bool(given_attr) == bool(recorded_attr):
        return None
    return app_to_load(recorded.app, directory)


def record_text(recipe: Recipe, files: Mapping[str, bytes]) -> str:
    """The ownership record: how the directory was rendered, and every file with its sha256."""
    doc = {
        "generator": "kubegen",
        "format": RECORD_FORMAT,
        "source": recipe.label,
        "app": recipe.app,
        "set": dict(recipe.sets),
        "kustomization": recipe.kustomization,
        "files": {path: sha256(files[path]) for path in sorted(files)},
    }
    return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=True) + "\n"


@attrs.frozen(kw_only=True)
class Record:
    """A parsed ``.kubegen-manifest``: ``owned`` maps each file to its sha256."""

    owned: dict[str, str]
    recipe: Recipe


def parse_record(text: str, where: str, directory: str) -> Record:
    """Read an ownership record (format 1 or 2); raise when it is not one.

    Paths it lists must be paths of kubegen's layout, so a tampered record can never
    make kubegen remove a file outside it.
    """
    fix = "restore it (e.g. from git) or delete it together with the files it listed"
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise KubegenError(f"{where}: not a kubegen ownership record ({exc}); {fix}") from None
    files = doc.get("files") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or doc.get("generator") != "kubegen" or not isinstance(files, dict):
        raise KubegenError(f"{where}: not a kubegen ownership record (no \"files\" map); {fix}")
    if doc.get("format") not in (1, RECORD_FORMAT):
        raise KubegenError(
            f"{where}: ownership record format {doc.get('format')!r} is not {RECORD_FORMAT}; upgrade kubegen or " + fix
        )
    owned: dict[str, str] = {}
    for path, digest in files.items():
        if not isinstance(path, str) or not is_owned_path(path) or not isinstance(digest, str):
            raise KubegenError(f"{where}: entry {path!r} is not a file kubegen writes; {fix}")
        owned[path] = digest
    source = doc["source"] if isinstance(doc.get("source"), str) else ""
    if doc.get("format") == 1:
        return Record(owned=owned, recipe=_format1_recipe(source, directory, KUSTOMIZATION_NAME in owned))
    app, sets, kustomization = doc.get("app"), doc.get("set"), doc.get("kustomization")
    if not (app is None or isinstance(app, str)) or not isinstance(sets, dict) or not isinstance(kustomization, bool) \
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in sets.items()):
        raise KubegenError(f"{where}: the recorded app, --set values or kustomization are malformed; {fix}")
    return Record(owned=owned, recipe=Recipe(app=app, sets=sets, kustomization=kustomization, label=source))


def _format1_recipe(source: str, directory: str, kustomization: bool) -> Recipe:
    """Format 1 kept ``app.py --set k=v ...`` (the app relative to its project root)."""
    try:
        words = shlex.split(source)
    except ValueError:
        words = []
    if not words:
        return Recipe(kustomization=kustomization, label=source)
    app, rest = words[0], words[1:]
    sets = dict(w.partition("=")[::2] for flag, w in zip(rest[::2], rest[1::2], strict=False) if flag == "--set")
    path, attr = split_app(app)
    root = project_root(directory)
    if path.endswith(".py") and root is not None:
        path = os.path.relpath(os.path.join(root, path), os.path.abspath(directory)).replace(os.sep, "/")
    recorded = f"{path}:{attr}" if attr else path
    return Recipe(app=recorded, sets=sets, kustomization=kustomization, label=app)


def read_record(directory: str, shown: str) -> Record | None:
    """The record of ``directory`` (``None``: there is none); ``shown`` names the directory."""
    where = os.path.join(shown, RECORD_NAME)
    try:
        data = read_regular(directory, RECORD_NAME)
    except NotRegular as exc:
        raise KubegenError(
            f"{where} is {exc.what}; kubegen writes regular files only: restore the record (e.g. from git) "
            "or remove it"
        ) from None
    if data is None:
        return None
    return parse_record(data.decode("utf-8", "replace"), where, directory)
