"""Reading the output directory: regular files below it only, never through a link.

An output directory lives in a git repository that pull requests change. A link at
a path kubegen owns (``ln -sf /proc/self/environ out/ns/configmap-a.yaml``) must not
make ``kubegen check`` print the CI's environment in its diff, and a FIFO must not
hang it. :func:`read_regular` opens each path component relative to the one before
(``openat``) with ``O_NOFOLLOW``, looks at what is there before opening it, and reads
only regular files, within the input size limit (:func:`kubegen.safefs.max_input_bytes`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat

from kubegen.errors import KubegenError
from kubegen.safefs import InputTooLarge, describe, max_input_bytes


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
    link, a directory, a device, a FIFO or a socket, and
    :class:`~kubegen.safefs.InputTooLarge` for a file over the input size limit.
    ``directory`` itself may be a link (the user named it).
    """
    with TreeReader(directory) as tree:
        return tree.read(path)


class TreeReader:
    """Reads many files below one directory (:func:`read_regular` for each), keeping the
    descriptors of the directory and its folders open between reads."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._folders: dict[str, int | None] = {}
        self._limit = max_input_bytes()
        try:
            self._root: int | None = os.open(directory, os.O_RDONLY | _DIRECTORY)
        except FileNotFoundError:
            self._root = None
        except OSError as exc:
            raise KubegenError(f"cannot read {directory}: {exc.strerror or exc}") from None

    def __enter__(self) -> TreeReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for fd in [self._root, *self._folders.values()]:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._root = None
        self._folders.clear()

    def read(self, path: str) -> bytes | None:
        """See :func:`read_regular`."""
        folder, _, name = path.rpartition("/")
        parent = self._folder(folder) if folder else self._root
        if parent is None:
            return None
        fd = self._open(parent, name, path, last=True)
        if fd is None:
            return None
        try:
            chunks: list[bytes] = []
            total = 0
            while True:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    return b"".join(chunks)
                total += len(chunk)
                if total > self._limit:
                    raise InputTooLarge(os.path.join(self.directory, path), self._limit)
                chunks.append(chunk)
        finally:
            os.close(fd)

    def _folder(self, folder: str) -> int | None:
        if folder not in self._folders:
            fd = self._root
            for depth, part in enumerate(folder.split("/")):
                if fd is None:
                    break
                inner = "/".join(folder.split("/")[: depth + 1])
                fd = self._folders[inner] if inner in self._folders else self._open(fd, part, inner, last=False)
                self._folders[inner] = fd
        return self._folders[folder]

    def _open(self, parent: int, name: str, shown: str, *, last: bool) -> int | None:
        try:
            info = os.stat(name, dir_fd=parent, follow_symlinks=False)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not (stat.S_ISREG(info.st_mode) if last else stat.S_ISDIR(info.st_mode)):
            raise NotRegular(shown, _what(info.st_mode, last))
        try:
            fd = os.open(name, os.O_RDONLY | _NOFOLLOW | (_NONBLOCK if last else _DIRECTORY), dir_fd=parent)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):  # replaced by a link since the stat
                raise NotRegular(shown, "a symbolic link") from None
            raise KubegenError(f"cannot read {os.path.join(self.directory, shown)}: {exc.strerror or exc}") from None
        if last and not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced since the stat
            os.close(fd)
            raise NotRegular(shown, "not a regular file")
        return fd


def _what(mode: int, last: bool) -> str:
    if not last and not stat.S_ISLNK(mode):
        return f"{describe(mode)} where kubegen keeps a folder"
    return describe(mode)
