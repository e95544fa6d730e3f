"""The output directory as committed at a git revision: the previous state for ``--base REV``.

In a pull request the branch holds both the app change and the re-rendered
directory, so comparing the render with the working tree shows nothing: the
selector already changed there too. What the cluster runs is the base branch.
``kubegen check --base origin/main`` compares each object render produces with the
same file at that revision, which is where an immutable change shows up.

Files are read with ``git ls-tree`` and ``git cat-file --batch`` (one process each);
only regular blobs count (a symbolic link committed where kubegen writes is never
followed), and every path is one of kubegen's layout.
"""

from __future__ import annotations

import os
import subprocess

from kubegen.errors import KubegenError, UsageError
from kubegen.gitops.layout import RECORD_NAME, is_owned_path


def _git(args: list[str], cwd: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise KubegenError("--base needs git, which is not installed (or not on PATH)") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise KubegenError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def _existing(path: str) -> str:
    folder = os.path.abspath(path)
    while not os.path.isdir(folder):
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return folder


def files_at(directory: str, rev: str, shown: str) -> tuple[dict[str, bytes], str]:
    """The files kubegen writes in ``directory`` as committed at ``rev``, by path in the directory.

    Returns them and a label for messages (``REV:DIR`` as the user named DIR). A
    directory that does not exist at ``rev`` gives no files (everything is new).
    Raises :class:`UsageError` for a ``rev`` that is not a commit, or a directory
    outside a git work tree.
    """
    if not rev or rev.startswith("-"):
        raise UsageError(f"--base {rev!r}: expected a git revision (a branch, tag or commit), e.g. origin/main")
    here = _existing(directory)
    rel = os.path.relpath(os.path.realpath(os.path.abspath(directory)), os.path.realpath(here)).replace(os.sep, "/")
    prefix = "" if rel == "." else rel + "/"
    try:  # paths relative to `here`, where git runs; one process lists, one reads
        listing = _git(["ls-tree", "-r", "-z", f"{rev}^{{commit}}", "--", prefix or "."], here)
    except KubegenError as exc:
        text = str(exc)
        if "not a git repository" in text.lower():
            raise UsageError(f"--base {rev}: {shown} is not in a git work tree ({text})") from None
        raise UsageError(f"--base {rev}: not a commit here (fetch it first, e.g. git fetch origin main): {text}") \
            from None
    blobs: dict[str, str] = {}
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        path = name.decode("utf-8", "surrogateescape")
        if not path.startswith(prefix) or kind != "blob" or mode not in ("100644", "100755"):
            continue
        inner = path[len(prefix):]
        if is_owned_path(inner) or inner == RECORD_NAME:
            blobs[inner] = sha
    label = f"{rev}:{shown.rstrip('/')}"
    if not blobs:
        return {}, label
    return _read_blobs(blobs, here), label


def _read_blobs(blobs: dict[str, str], top: str) -> dict[str, bytes]:
    order = sorted(blobs)
    out = _git(["cat-file", "--batch"], top, stdin="".join(f"{blobs[p]}\n" for p in order).encode())
    files: dict[str, bytes] = {}
    at = 0
    for path in order:
        end = out.index(b"\n", at)
        size = int(out[at:end].split()[2])
        files[path] = out[end + 1:end + 1 + size]
        at = end + 1 + size + 1
    return files
