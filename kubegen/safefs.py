"""Reading a path the user named: regular files only, never past a size limit, never a hang.

Every read of a user path (``lint``, ``import``, ``explain``, ``graph``, stdin, the
app file) goes through :func:`open_input` / :func:`read_input` or
:func:`read_stdin`, so the same rules hold everywhere:

- only a regular file is read (a symbolic link is followed to one). A FIFO named
  ``x.yaml`` would block the read until some writer appears, and a link to
  ``/dev/zero`` or ``/dev/urandom`` never ends: both are refused by their type,
  checked on the opened descriptor (opened non-blocking, so a FIFO cannot hang the
  open itself);
- the size limit (:func:`max_input_bytes`, 64 MiB unless ``KUBEGEN_MAX_INPUT_MB``
  says otherwise) is enforced *while reading*, not from the size the file claims
  (``/proc`` files and pipes claim 0);
- a dangling link, a link loop, a closed stdin or a permission problem is one
  :class:`UnreadableInput` with a message that says what the path is and what to do.
"""

from __future__ import annotations

import errno
import math
import os
import stat
from typing import IO, Any

from kubegen.errors import InputError, UsageError

CHUNK = 1 << 20
"""Bytes read at a time."""


LIMIT_ENV = "KUBEGEN_MAX_INPUT_MB"


def max_input_bytes() -> int:
    """The largest input read, in bytes: ``KUBEGEN_MAX_INPUT_MB`` (default 64) MiB.

    Raises :class:`~kubegen.errors.UsageError` when the variable is set to anything but
    a positive number (``abc``, ``0``, ``-1``, ``inf``): a limit kubegen cannot apply is
    said, not replaced by another one in silence."""
    text = os.environ.get(LIMIT_ENV, "")
    if not text.strip():  # unset, or set to nothing (a CI template's empty value)
        return 64 * 1024 * 1024
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = math.nan
    if not (math.isfinite(megabytes) and megabytes * 1024 * 1024 >= 1):
        raise UsageError(f"{LIMIT_ENV}={text!r}: expected the input limit as a positive number of MiB (default 64)")
    return int(megabytes * 1024 * 1024)


class UnreadableInput(InputError):
    """A user path that cannot be read as input: what it is and what to do instead.

    ``path`` is the path as the user wrote it (or ``<stdin>``).
    """

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class InputTooLarge(UnreadableInput):
    """Input over the size limit; ``size`` is its size when known before reading, else None."""

    def __init__(self, path: str, limit: int, size: int | None = None) -> None:
        amount = _amount(size) if size is not None else f"more than {_amount(limit)}"
        super().__init__(
            path,
            f"input is {amount}, over kubegen's limit of {_amount(limit)}; split it into several "
            "files or raise the limit with KUBEGEN_MAX_INPUT_MB",
        )
        self.size = size


def _amount(size: int) -> str:
    """``64 MiB``, ``1.5 MiB``, ``2,048 bytes`` (a limit set below a MiB is not "0 MiB")."""
    if size < 1024 * 1024:
        return f"{size:,} bytes"
    return f"{size / 1048576:.1f}".removesuffix(".0") + " MiB"


_KINDS = (
    (stat.S_ISREG, "a regular file"),
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def describe(mode: int) -> str:
    """What a file of this ``st_mode`` is, as messages say it (``a named pipe (FIFO)``)."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"  # pragma: no cover - every POSIX file type is listed


class NotRegularFile(UnreadableInput):
    """A FIFO, device, socket or directory where a file was to be read."""


def _not_regular(path: str, mode: int) -> UnreadableInput:
    target = ""
    if os.path.islink(path):
        target = f"a symbolic link to {os.path.realpath(path)}, which is "
    return NotRegularFile(
        path,
        f"is {target}{describe(mode)}, not a regular file; kubegen reads only regular files (a pipe or "
        "a device could block or never end)",
    )


def _os_problem(path: str, exc: OSError) -> UnreadableInput:
    if exc.errno == errno.ELOOP:
        return UnreadableInput(
            path, "is a symbolic link loop (it resolves to itself); point the link at a file or remove it",
        )
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return UnreadableInput(
            path, f"is a symbolic link to {os.readlink(path)!r}, which does not exist; fix or remove the link",
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return UnreadableInput(path, "permission denied: kubegen needs read access to this file")
    try:  # a socket cannot be opened at all (ENXIO): say what it is, not only what failed
        mode = os.stat(path).st_mode
    except OSError:
        mode = stat.S_IFREG
    if not stat.S_ISREG(mode):
        return _not_regular(path, mode)
    return UnreadableInput(path, f"cannot read: {exc.strerror or exc}")


class LimitedReader:
    """A binary reader that raises :class:`InputTooLarge` once more than ``limit`` bytes
    came out of it (whatever the source claimed its size to be)."""

    __slots__ = ("_raw", "_name", "_limit", "_seen")

    def __init__(self, raw: IO[bytes] | Any, name: str, limit: int) -> None:
        self._raw = raw
        self._name = name
        self._limit = limit
        self._seen = 0

    @property
    def name(self) -> str:
        return self._name

    def read(self, size: int = CHUNK) -> bytes:
        """Up to ``size`` bytes (``b""`` at the end)."""
        want = min(size, self._limit + 1 - self._seen) if size >= 0 else self._limit + 1 - self._seen
        try:
            data: bytes = self._raw.read(max(want, 1))
        except OSError as exc:
            raise _os_problem(self._name, exc) from None
        self._seen += len(data)
        if self._seen > self._limit:
            raise InputTooLarge(self._name, self._limit)
        return data

    def read_all(self) -> bytes:
        """Everything, in chunks (the limit stops a never-ending source)."""
        parts: list[bytes] = []
        while True:
            data = self.read(CHUNK)
            if not data:
                return b"".join(parts)
            parts.append(data)

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> LimitedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_input(path: str, limit: int | None = None, *, follow_links: bool = True) -> LimitedReader:
    """Open the user's ``path`` for reading; raises :class:`UnreadableInput` (an
    :class:`InputError`) when it is not a regular file, cannot be opened, or is larger
    than ``limit`` (default :func:`max_input_bytes`). Without ``follow_links`` a symbolic
    link is refused too (``lint --fix`` reads what it will replace that way)."""
    limit = max_input_bytes() if limit is None else limit
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        # Non-blocking: opening a FIFO for reading would otherwise wait for a writer.
        fd = os.open(path, flags)
    except OSError as exc:
        if not follow_links and exc.errno == errno.ELOOP and os.path.islink(path):
            raise UnreadableInput(path, "is a symbolic link, which kubegen does not follow here") from None
        raise _os_problem(path, exc) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(path, info.st_mode)
        if info.st_size > limit:
            raise InputTooLarge(path, limit, info.st_size)
        raw = os.fdopen(fd, "rb", buffering=0)
    except BaseException:
        os.close(fd)
        raise
    return LimitedReader(raw, path, limit)


def read_input(path: str, limit: int | None = None, *, follow_links: bool = True) -> bytes:
    """The whole content of the user's regular file ``path`` (see :func:`open_input`)."""
    with open_input(path, limit, follow_links=follow_links) as handle:
        return handle.read_all()


STDIN_NAME = "<stdin>"


def stdin_reader(stream: Any, limit: int | None = None) -> LimitedReader:
    """A limited binary reader over ``stream`` (``sys.stdin`` or a test's StringIO);
    raises :class:`UnreadableInput` when stdin is closed (``kubegen lint - <&-``)."""
    limit = max_input_bytes() if limit is None else limit
    if stream is None or getattr(stream, "closed", False):
        raise UnreadableInput(
            STDIN_NAME,
            "standard input is closed, but - means read manifests from it; pipe them in "
            "(`helm template chart | kubegen lint -`) or name the files",
        )
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        return LimitedReader(buffer, STDIN_NAME, limit)
    return LimitedReader(_TextAsBytes(stream), STDIN_NAME, limit)


def read_stdin(stream: Any, limit: int | None = None) -> bytes:
    """All of stdin, at most ``limit`` bytes (see :func:`stdin_reader`)."""
    return stdin_reader(stream, limit).read_all()


class _TextAsBytes:
    """A text stream (io.StringIO in tests, a wrapped stdin) read as UTF-8 bytes."""

    __slots__ = ("_stream",)

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def read(self, size: int) -> bytes:
        text: str = self._stream.read(size)
        return text.encode("utf-8", "surrogatepass")

    def close(self) -> None:
        pass
