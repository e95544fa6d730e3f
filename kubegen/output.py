"""Writing output safely: to stdout, or atomically to a regular file (never half-written).

- :func:`resolve_output` turns ``-o PATH`` into an absolute path and refuses, before
  anything runs, a PATH that is not a regular file or absent: a directory, a device
  (``/dev/null``: as root, replacing it would break the machine), a FIFO, a socket,
  or a symbolic link (``/dev/stdout``, a link a pull request planted next to
  ``out.yaml``). An ``os.chdir()`` in the app cannot move the output afterwards.
- :func:`write_text` writes a temporary file ``.kubegen-<nonce>-<tag>.tmp`` beside
  PATH and renames it over PATH, after checking PATH again. SIGINT, SIGTERM and
  SIGHUP remove the temporary file before kubegen stops; a file a SIGKILL left is
  recognised by its name (the tag is a hash of the nonce), by not being locked by a
  live writer (each writer holds ``flock`` on its temporary file) and by being a
  regular file of this user, and removed by the next write into that directory.
  Files kubegen did not make are never touched.
- :func:`data_out` is where kubegen writes its data (YAML, diffs, pictures): the real
  stdout, also while :func:`kubegen.stdio.app_output_to_stderr` keeps the app's
  prints away from it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from types import FrameType

# hashlib, secrets, signal and threading are imported where a file is written: a
# render to stdout (most runs) pays nothing for them.

from kubegen.errors import OutputError, UsageError
from kubegen.safefs import describe

PAUSE_ENV = "KUBEGEN_TEST_PAUSE"
"""Test hook: ``output`` makes :func:`write_text` stop (sleep) with its temporary file
written, announcing it on stderr, so tests can kill it there."""


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived: stop like Ctrl-C does, cleaning up on the way out."""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    import signal

    raise Interrupted(f"signal {signal.Signals(signum).name}")


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """While writing, SIGTERM and SIGHUP raise :class:`Interrupted` (a KeyboardInterrupt),
    so ``finally`` blocks roll back exactly as they do for Ctrl-C."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            previous[signum] = signal.signal(signum, _interrupt)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _refusal(shown: str, full: str, mode: int) -> str:
    what = describe(mode)
    if stat.S_ISLNK(mode):
        with contextlib.suppress(OSError):
            what += f" (to {os.readlink(full)})"
    return (
        f"{shown} is {what}; kubegen writes regular files only (it replaces a file "
        "whole, which would break this): name a regular file, or leave out -o to write to stdout"
    )


def _check_target(path: str, shown: str, error: type[Exception]) -> os.stat_result | None:
    """The target's lstat (``None``: absent in an existing folder); raise ``error`` otherwise."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        folder = os.path.dirname(path)
        if not os.path.isdir(folder):
            raise error(f"cannot write {shown}: directory {folder} does not exist") from None
        return None
    except OSError as exc:
        raise error(f"cannot write {shown}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise error(_refusal(shown, path, info.st_mode))
    return info


def resolve_output(path: str | None) -> str | None:
    """``-o PATH`` as an absolute path, checked now (before the app runs); ``None``/``-``: stdout.

    Raises :class:`UsageError` when PATH exists and is not a regular file, or its
    folder does not exist.
    """
    if path is None or path == "-":
        return None
    full = os.path.join(os.getcwd(), path)
    _check_target(full, path, UsageError)
    return full


# --- stdout -------------------------------------------------------------------------------

_data: list[TextIO] = []


def data_out() -> TextIO:
    """The stream kubegen's data goes to: the real stdout, even while the app's prints do not."""
    stream = _data[-1] if _data else sys.stdout
    if stream is None:  # started with stdout closed (`kubegen render app.py >&-`)
        raise OutputError("stdout is closed; write to a file with -o FILE")
    return stream


@contextlib.contextmanager
def data_stream(stream: TextIO) -> Iterator[None]:
    """Make ``stream`` what :func:`data_out` returns (see :mod:`kubegen.stdio`)."""
    _data.append(stream)
    try:
        yield
    finally:
        _data.pop()


# --- files --------------------------------------------------------------------------------


def tagged(nonce: str) -> str:
    """``<nonce>-<tag>``, the tag a hash of the nonce: how kubegen's temporary names end, so
    that a name someone else chose is not taken for one of kubegen's (see :func:`is_tagged`)."""
    import hashlib

    return f"{nonce}-{hashlib.sha256(f'kubegen-tmp:{nonce}'.encode()).hexdigest()[:8]}"


def is_tagged(text: str) -> bool:
    """Whether ``text`` is ``<12 hex digits>-<its tag>`` (:func:`tagged`)."""
    nonce, _, _ = text.partition("-")
    return len(nonce) == 12 and all(c in "0123456789abcdef" for c in nonce) and tagged(nonce) == text


def temp_name(nonce: str) -> str:
    """The name of a temporary file kubegen writes: ``.kubegen-<nonce>-<tag>.tmp``."""
    return f".kubegen-{tagged(nonce)}.tmp"


def _ours(name: str) -> bool:
    return name.startswith(".kubegen-") and name.endswith(".tmp") and is_tagged(name[len(".kubegen-"):-len(".tmp")])


def remove_stale_temps(folder: str) -> list[str]:
    """Delete temporary files killed kubegen writes left in ``folder``; returns their names.

    Only files named as kubegen names them (with the right tag), regular, owned by
    this user, and not locked by a write that is still running.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: nothing to tell a live writer by
        return []
    removed: list[str] = []
    try:
        names = [n for n in os.listdir(folder) if _ours(n)]
    except OSError:
        return removed
    for name in names:
        full = os.path.join(folder, name)
        try:
            fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a write holds it: not stale
            now = os.lstat(full)
            if (now.st_dev, now.st_ino) == (info.st_dev, info.st_ino):
                os.unlink(full)
                removed.append(name)
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed


def _pause() -> None:
    if os.environ.get(PAUSE_ENV) == "output":
        import time

        sys.stderr.write("kubegen: test pause: output\n")
        sys.stderr.flush()
        time.sleep(3600)


def write_text(path: str | None, text: str, *, shown: str | None = None) -> None:
    """Write ``text`` to stdout (``None`` or ``-``) or atomically replace the file ``path``.

    ``path`` must be a regular file or absent (see :func:`resolve_output`); it is
    checked again just before the rename. ``shown`` is how messages name it.
    """
    if path is None or path == "-":
        out = data_out()
        out.write(text)
        out.flush()
        return
    shown = shown or path
    full = os.path.join(os.getcwd(), path)
    before = _check_target(full, shown, OutputError)
    folder = os.path.dirname(full)
    remove_stale_temps(folder)
    tmp = None
    with interruptible():
        try:
            import secrets

            tmp = os.path.join(folder, temp_name(secrets.token_hex(6)))
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                _lock(fd)
                handle.write(text)
                handle.flush()
                os.fsync(fd)
                os.fchmod(fd, before.st_mode & 0o777 if before is not None else 0o644)
                _pause()
                if _identity(_check_target(full, shown, OutputError)) != _identity(before):
                    raise OutputError(f"{shown} was replaced while kubegen was writing it; nothing was written")
                os.replace(tmp, full)
                tmp = None
        except OSError as exc:
            if isinstance(exc, OutputError):
                raise
            raise OutputError(f"cannot write {shown}: {exc.strerror or exc}") from None
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


def _identity(info: os.stat_result | None) -> tuple[int, int] | None:
    return None if info is None else (info.st_dev, info.st_ino)


def _lock(fd: int) -> None:
    """Mark a temporary file as in use (see :func:`remove_stale_temps`)."""
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (ImportError, OSError) as exc:
        if isinstance(exc, OSError) and exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
            raise
