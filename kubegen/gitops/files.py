"""Reading the output directory: regular files below it only, never through a link.

An output directory lives in a git repository that pull requests change. A link at
a path kubegen owns (``ln -sf /proc/self/environ out/ns/configmap-a.yaml``) must not
make ``kubegen check`` print the CI's environment in its diff, and a FIFO must not
hang it. :func:`read_regular` opens each path component relative to the one before
(``openat``) with ``O_NOFOLLOW``, looks at what is there before opening it, and reads
only regular files, up to :data:`MAX_BYTES`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat

from kubegen.errors import KubegenError
from kubegen.output import describe

MAX_BYTES = 64 * 1024 * 1024
"""No file kubegen writes comes near this (the API server stores at most ~1.5 MB per object)."""


class NotRegular(KubegenError, OSError):
    """A path below the output directory is not a regular file; ``what`` says what it is."""

    def __init__(self, path: str, what: str) -> None:
        super().__init__(f"{path} is {what}; kubegen writes regular files only")
        self.what = what


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def read_regular(directory: str, path: str) -> bytes | None:
    """The bytes of ``directory/path`` (``path`` relative, ``/``-separated); ``None`` if absent.

    Raises :class:`NotRegular` when ``path`` (or a folder on the way) is a symbolic
    link, a directory, a device, a FIFO or a socket, or a file over :data:`MAX_BYTES`.
    ``directory`` itself may be a link (the user named it).
    """
    parts = path.split("/")
    try:
        fd = os.open(directory, os.O_RDONLY | _DIRECTORY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise KubegenError(f"cannot read {directory}: {exc.strerror or exc}") from None
    try:
        for index, part in enumerate(parts):
            try:
                info = os.stat(part, dir_fd=fd, follow_symlinks=False)
            except (FileNotFoundError, NotADirectoryError):
                return None
            last = index == len(parts) - 1
            if not (stat.S_ISREG(info.st_mode) if last else stat.S_ISDIR(info.st_mode)):
                shown = "/".join(parts[: index + 1])
                raise NotRegular(shown, _what(info.st_mode, last))
            flags = os.O_RDONLY | _NOFOLLOW | (_NONBLOCK if last else _DIRECTORY)
            try:
                child = os.open(part, flags, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):  # replaced by a link since the stat
                    raise NotRegular("/".join(parts[: index + 1]), "a symbolic link") from None
                raise KubegenError(f"cannot read {os.path.join(directory, path)}: {exc.strerror or exc}") from None
            os.close(fd)
            fd = child
        if os.fstat(fd).st_size > MAX_BYTES:
            raise NotRegular(path, f"larger than {MAX_BYTES // (1024 * 1024)} MiB, which no file kubegen writes is")
        chunks = []
        total = 0
        while total <= MAX_BYTES:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > MAX_BYTES:
            raise NotRegular(path, f"larger than {MAX_BYTES // (1024 * 1024)} MiB, which no file kubegen writes is")
        return b"".join(chunks)
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


def _what(mode: int, last: bool) -> str:
    if not last and not stat.S_ISLNK(mode):
        return f"{describe(mode)} where kubegen keeps a folder"
    return describe(mode)
