"""Changing an output directory all at once, or not at all.

1. Stage: every new or changed file is written into a temporary sibling of the
   directory, ``.<dir>.kubegen-tmp-<nonce>-<tag>`` (same file system, so renames are
   atomic: inside the directory when it is a mount point, see :func:`staging_folder`;
   the tag, a hash of the nonce, tells kubegen's siblings from folders someone else
   named alike, which are never touched). The directory itself is
   untouched; a crash here leaves only the sibling, which the next run deletes.
2. Journal: ``journal.json`` in the sibling lists every change to make. From the
   moment it exists until it is deleted, a run that finds it rolls the directory
   back: each replaced file was hard-linked into the sibling before being replaced
   (``os.replace``, atomic), each removed file was moved there, and the journal
   says which files and folders were new.
3. Commit point: deleting the journal. Then the sibling is deleted.

Renames and the page cache make this all-or-nothing when the process is killed at
any moment. ``durable=True`` adds ``syncfs`` at the commit points (before the
journal, before deleting it) so that it also holds across a power loss.

A directory that does not exist yet is built whole in the sibling and renamed
into place in one step. Runs on the same directory are serialized with ``flock``
on it (on its parent while it does not exist), and every run first recovers what a
killed run left.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence

from kubegen.errors import OutputError
from kubegen.output import PAUSE_ENV, interruptible, is_tagged, tagged

__all__ = ["PAUSE_ENV", "busy", "commit", "interrupted", "leftovers", "locked", "recover"]

JOURNAL = "journal.json"
_TMP_MARK = ".kubegen-tmp-"
# Test hook (PAUSE_ENV): ``stage:N`` or ``commit:N`` makes a write stop (sleep) after N
# steps of that phase, announcing it on stderr, so tests can kill it there.


def _split(directory: str) -> tuple[str, str]:
    full = os.path.abspath(directory)
    parent, name = os.path.split(full.rstrip(os.sep))
    if not name:
        raise OutputError(f"--output-dir {directory}: cannot write into the root directory")
    return parent, name


def _lock_target(directory: str) -> str:
    """What a write into ``directory`` locks: the directory itself, or its parent while it
    does not exist yet (a first write creates it with one rename)."""
    return directory if os.path.isdir(directory) else _split(directory)[0]


@contextlib.contextmanager
def locked(directory: str) -> Iterator[None]:
    """Hold an exclusive lock for writes into ``directory`` (``flock``; none where there is none)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    parent, _ = _split(directory)
    while True:
        target = _lock_target(directory)
        try:
            os.makedirs(parent, exist_ok=True)
            fd = os.open(target, os.O_RDONLY)
        except OSError as exc:
            raise OutputError(f"cannot use {target}: {exc.strerror}") from None
        fcntl.flock(fd, fcntl.LOCK_EX)
        if _lock_target(directory) == target:
            break
        os.close(fd)  # the directory appeared (or went) while we waited: lock what is there now
    try:
        yield
    finally:
        os.close(fd)


def busy(directory: str) -> bool:
    """Whether a write into ``directory`` holds the lock right now."""
    try:
        import fcntl

        fd = os.open(_lock_target(directory), os.O_RDONLY)
    except (ImportError, OSError):
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases the lock if we got it
    return False


def staging_folder(directory: str) -> str:
    """Where a write into ``directory`` stages its files: beside it, or inside it when it
    is a mount point (a volume mounted at ``deploy/``): renames cannot cross from one
    file system to another, and the parent is on another one then."""
    parent, _ = _split(directory)
    try:
        if not same_file_system(directory, parent):
            return directory
    except OSError:  # the directory does not exist yet: it is made in the parent
        pass
    return parent


def same_file_system(one: str, other: str) -> bool:
    """Whether two existing paths are on one file system (a rename between them works)."""
    return os.stat(one).st_dev == os.stat(other).st_dev


def leftovers(directory: str) -> list[str]:
    """Temporary folders a killed run left next to ``directory`` (or in it, for a mount point)."""
    parent, name = _split(directory)
    prefix = f".{name}{_TMP_MARK}"
    found = []
    for folder in dict.fromkeys([parent, staging_folder(directory)]):
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        found += [  # only names kubegen makes (tagged): a folder someone else named so is not ours
            os.path.join(folder, e) for e in entries if e.startswith(prefix) and is_tagged(e[len(prefix):])
        ]
    return sorted(found)


def interrupted(directory: str) -> list[str]:
    """Journals of killed runs that changed ``directory`` part way (recover() rolls them back)."""
    return [os.path.join(t, JOURNAL) for t in leftovers(directory) if os.path.exists(os.path.join(t, JOURNAL))]


def recover(directory: str) -> bool:
    """Roll back what killed runs left half done; delete their temporary siblings.

    Call with the lock held. Returns True when a half-done change was rolled back.
    """
    rolled = False
    for tmp in leftovers(directory):
        pending = os.path.exists(os.path.join(tmp, JOURNAL))
        if not _undo(directory, tmp):
            raise OutputError(
                f"{directory}: cannot roll back the interrupted write recorded in {tmp}; check the "
                "permissions of both, or restore the directory (e.g. from git) and delete that folder"
            )
        rolled = rolled or pending
    return rolled


def _rollback(directory: str, tmp: str, journal: dict[str, list[str]]) -> None:
    old = os.path.join(tmp, "old")
    new = os.path.join(tmp, "new")
    for path in reversed(journal["replace"]):
        backup = os.path.join(old, path)
        if os.path.exists(backup):  # replaced (or about to be): put the old bytes back
            os.replace(backup, os.path.join(directory, path))
    for path in reversed(journal["create"]):
        if not os.path.exists(os.path.join(new, path)):  # it was moved in: take it out
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(directory, path))
    for folder in journal["rmdirs"]:
        os.makedirs(os.path.join(directory, folder), exist_ok=True)
    for path in reversed(journal["remove"]):
        backup = os.path.join(old, path)
        if os.path.exists(backup):
            os.replace(backup, os.path.join(directory, path))
    for folder in sorted(journal["mkdirs"], reverse=True):
        with contextlib.suppress(OSError):
            os.rmdir(os.path.join(directory, folder))


class _Pauser:
    def __init__(self) -> None:
        phase, _, count = os.environ.get(PAUSE_ENV, "").partition(":")
        self.phase = phase
        self.count = int(count) if count.isdigit() else -1

    def step(self, phase: str, done: int) -> None:
        if phase == self.phase and done == self.count:
            sys.stderr.write(f"kubegen: test pause: {phase} {done}\n")
            sys.stderr.flush()
            time.sleep(3600)


def commit(
    directory: str, files: dict[str, bytes], put: Sequence[str], remove: Sequence[str], *, durable: bool = False
) -> None:
    """Write ``put`` (paths of ``files``) and delete ``remove`` in ``directory``, all or nothing."""
    with interruptible():  # SIGTERM/SIGHUP roll back like Ctrl-C
        _commit(directory, files, put, remove, durable)


def _commit(directory: str, files: dict[str, bytes], put: Sequence[str], remove: Sequence[str], durable: bool) -> None:
    _, name = _split(directory)
    pauser = _Pauser()
    try:
        tmp = os.path.join(staging_folder(directory), f".{name}{_TMP_MARK}{tagged(secrets.token_hex(6))}")
        os.mkdir(tmp, 0o700)
    except OSError as exc:
        raise OutputError(f"cannot create a temporary folder next to {directory}: {exc.strerror}") from None
    try:
        new = os.path.join(tmp, "new")
        _stage(new, files, put, pauser)
        if not os.path.isdir(directory):
            _sync(tmp, durable)
            os.rename(new, directory)
        else:
            _swap(directory, tmp, put, remove, pauser, durable)
    except BaseException as exc:  # an error or Ctrl-C part way: put everything back first
        if not _undo(directory, tmp):
            raise OutputError(
                f"cannot write {directory} and could not roll back ({exc}); the next kubegen render or "
                f"recover_dir() rolls it back from {tmp}"
            ) from None
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {directory}: {exc.strerror or exc}; nothing was changed") from None
        raise
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        _sync(directory, durable)
    except OSError as exc:  # after the commit point: the new files are in place
        raise OutputError(f"wrote {directory}, but could not sync it to disk: {exc.strerror or exc}") from None


def _undo(directory: str, tmp: str) -> bool:
    """Roll back a failed swap and delete ``tmp``; False (``tmp`` kept) if that failed too."""
    journal = os.path.join(tmp, JOURNAL)
    try:
        if os.path.exists(journal):
            with open(journal, encoding="utf-8") as handle:
                _rollback(directory, tmp, json.load(handle))
            os.unlink(journal)
    except (OSError, ValueError):
        return False
    shutil.rmtree(tmp, ignore_errors=True)
    return True


def _stage(new: str, files: dict[str, bytes], put: Sequence[str], pauser: _Pauser) -> None:
    made: set[str] = set()
    for done, path in enumerate(put):
        folder = os.path.dirname(path)
        if folder not in made:
            os.makedirs(os.path.join(new, folder), exist_ok=True)
            made.add(folder)
        pauser.step("stage", done)
        fd = os.open(os.path.join(new, path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            data = files[path]
            while data:
                data = data[os.write(fd, data):]
        finally:
            os.close(fd)
    if not put:
        os.makedirs(new, exist_ok=True)


def _swap(
    directory: str, tmp: str, put: Sequence[str], remove: Sequence[str], pauser: _Pauser, durable: bool
) -> None:
    old = os.path.join(tmp, "old")
    new = os.path.join(tmp, "new")
    replace = [p for p in put if os.path.lexists(os.path.join(directory, p))]
    replacing = set(replace)
    create = [p for p in put if p not in replacing]
    mkdirs = sorted({d for d in (os.path.dirname(p) for p in create) if d} - set(_folders(directory)))
    gone = set(remove)
    rmdirs = sorted(
        folder for folder in {os.path.dirname(p) for p in remove if os.path.dirname(p)}
        if all(os.path.join(folder, entry) in gone for entry in os.listdir(os.path.join(directory, folder)))
        and not any(os.path.dirname(p) == folder for p in put)
    )
    for folder in {os.path.dirname(p) for p in [*replace, *remove]}:
        os.makedirs(os.path.join(old, folder), exist_ok=True)
    journal = {"replace": replace, "create": create, "remove": list(remove), "mkdirs": mkdirs, "rmdirs": rmdirs}
    _sync(tmp, durable)
    _write_journal(tmp, journal, durable)
    step = 0
    for folder in mkdirs:
        os.makedirs(os.path.join(directory, folder), exist_ok=True)
    for path in put:  # object files, the kustomization, and the ownership record last
        target = os.path.join(directory, path)
        if path in replacing:
            _backup(target, os.path.join(old, path))
        pauser.step("commit", step)
        step += 1
        os.replace(os.path.join(new, path), target)
    for path in remove:
        pauser.step("commit", step)
        step += 1
        os.replace(os.path.join(directory, path), os.path.join(old, path))
    for folder in rmdirs:
        with contextlib.suppress(OSError):
            os.rmdir(os.path.join(directory, folder))
    _sync(directory, durable)
    os.unlink(os.path.join(tmp, JOURNAL))  # the commit point


def _folders(directory: str) -> list[str]:
    return [e for e in os.listdir(directory) if os.path.isdir(os.path.join(directory, e))]


def _backup(target: str, backup: str) -> None:
    try:
        os.link(target, backup)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        shutil.copy2(target, backup)


def _write_journal(tmp: str, journal: dict[str, list[str]], durable: bool) -> None:
    part = os.path.join(tmp, JOURNAL + ".part")
    with open(part, "w", encoding="utf-8") as handle:
        json.dump(journal, handle, indent=1)
        handle.flush()
        if durable:
            os.fsync(handle.fileno())
    os.replace(part, os.path.join(tmp, JOURNAL))


def _sync(path: str, durable: bool) -> None:
    """Make everything written so far below ``path`` durable (syncfs, else sync)."""
    if not durable:
        return
    syncfs = _syncfs()
    if syncfs is None:
        os.sync()
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        syncfs(fd)
    finally:
        os.close(fd)


_SYNCFS: list[Callable[[int], int] | None] = []


def _syncfs() -> Callable[[int], int] | None:
    """libc's ``syncfs`` (Linux), looked up once; None where there is none."""
    if not _SYNCFS:
        found: Callable[[int], int] | None = None
        try:
            import ctypes
            import ctypes.util

            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
            found = getattr(libc, "syncfs", None)
        except (OSError, ImportError, AttributeError):
            found = None
        _SYNCFS.append(found)
    return _SYNCFS[0]
