"""Which files ``lint --fix`` may rewrite, and rewriting one safely.

A file is rewritten only when it is a regular file reached without a symlink from a
path the user gave (a file given itself, or a file below a directory given), and
never through a symlink; a read-only file is left as it is, and so is a kustomize
patch (part of an object, which kustomize matches to its target by apiVersion, kind
and name: a "fixed" apiVersion would break the overlay's build). The new text
replaces the old atomically (a temporary file beside it, fsync, rename), with the
old file's permissions, and only if the file still holds exactly what was fixed:
an editor saving meanwhile wins.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Sequence

from kubegen.errors import InputError, OutputError
from kubegen.reader import expand_paths
from kubegen.reader_kustomize import KUSTOMIZE_NAMES, patch_files
from kubegen.safefs import read_input


def unwritable(paths: Sequence[str], *, writing: bool = True) -> dict[str, str]:
    """For each file the paths expand to that ``--fix`` must not write: why (a read-only
    file only when ``writing``: ``--diff`` may show its changes)."""
    refused: dict[str, str] = {}
    patches = _KustomizePatches()
    for given in paths:
        if given == "-":
            continue
        link = _linked_part(given)
        root = os.path.realpath(given) if os.path.isdir(given) else None
        for file in expand_paths([given]):
            reason = f"is reached through the symlink {link}" if link else _why_not(file, given, root, writing)
            kustomization = patches.naming(file) if reason is None else None
            if kustomization is not None:
                reason = (f"is a kustomize patch (named in {kustomization}): part of an object, not a whole "
                          "one; fix the object it patches, or check `kubectl kustomize` output")
            if reason is not None:
                refused[file] = reason
    return refused


class _KustomizePatches:
    """The patch files the kustomizations above a file name (kustomize loads files only
    from a kustomization's own directory and below)."""

    NAMES = KUSTOMIZE_NAMES

    def __init__(self) -> None:
        self._by_dir: dict[str, tuple[str, set[str]] | None] = {}

    def naming(self, file: str) -> str | None:
        """The kustomization that names ``file`` as a patch, as a path like ``file``'s."""
        target = os.path.abspath(file)
        shown = os.path.dirname(file)
        here = os.path.dirname(target)
        while True:
            found = self._patches(here)
            if found is not None and target in found[1]:
                return os.path.normpath(os.path.join(shown, os.path.relpath(found[0], os.path.dirname(target))))
            up = os.path.dirname(here)
            if up == here:
                return None
            here = up

    def _patches(self, directory: str) -> tuple[str, set[str]] | None:
        if directory not in self._by_dir:
            self._by_dir[directory] = None
            for name in self.NAMES:
                path = os.path.join(directory, name)
                if os.path.isfile(path):
                    self._by_dir[directory] = (path, patch_files(path))
                    break
        return self._by_dir[directory]


def _linked_part(given: str) -> str | None:
    """The first symlink among the directories of a path as typed (a relative path: the part
    a repository controls; above an absolute path is the machine's own business)."""
    if os.path.isabs(given):
        parts = [given] if os.path.isdir(given) else []
    else:
        parts = []
        head = os.path.normpath(given) if os.path.isdir(given) else os.path.dirname(os.path.normpath(given))
        while head and head not in (os.curdir, os.pardir) and not head.endswith(os.sep + os.pardir):
            parts.append(head)
            head = os.path.dirname(head)
        parts.reverse()
    return next((p for p in parts if os.path.islink(p)), None)


def _why_not(file: str, given: str, root: str | None, writing: bool) -> str | None:
    try:
        info = os.lstat(file)
    except OSError as exc:
        return f"cannot be examined ({exc.strerror})"
    if stat.S_ISLNK(info.st_mode):
        return "is a symlink; kubegen never writes through one (fix the file it points to)"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if writing and not _writable(file, info):
        return "is read-only; make it writable (chmod u+w) to let --fix change it"
    if root is not None:
        real = os.path.realpath(file)
        if os.path.commonpath([real, root]) != root:
            return f"lies outside {given} once symlinks are resolved"
        here = os.path.dirname(file)
        while os.path.abspath(here) != os.path.abspath(given) and here not in ("", os.sep):
            if os.path.islink(here):
                return f"is reached through the symlink {here}"
            here = os.path.dirname(here)
    return None


def _writable(file: str, info: os.stat_result) -> bool:
    """Whether the file is meant to be written: root may write anything, so for root a file
    without any write permission bit counts as read-only (as editors treat it)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return bool(info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return os.access(file, os.W_OK)


def read_regular(path: str) -> bytes:
    """The bytes of ``path``, refusing a symlink or anything but a regular file (through
    :mod:`kubegen.safefs`, which opens non-blocking: a FIFO put in its place cannot hang)."""
    try:
        return read_input(path, follow_links=False)
    except InputError as exc:
        raise OutputError(str(exc)) from None


def replace_file(path: str, data: bytes, expected: bytes) -> None:
    """Atomically replace ``path`` (which must still hold ``expected``) with ``data``."""
    if read_regular(path) != expected:
        raise OutputError(f"{path}: changed on disk while kubegen was fixing it; nothing written, run again")
    mode = stat.S_IMODE(os.lstat(path).st_mode)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".kubegen-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write beside it: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
