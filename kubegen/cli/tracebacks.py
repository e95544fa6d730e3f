"""``--traceback``: the user's own traceback for an exception (or builder errors) in the app.

kubegen's loader, click and runpy sit above the app's frames; they are left out,
so the traceback starts at the app's first line that ran.
"""

from __future__ import annotations

import traceback

from kubegen.errors import AppLoadError, BuilderError, BuilderErrors, KubegenError
from kubegen.location import is_internal_file, is_user_file


def app_tracebacks(exc: KubegenError) -> str:
    """Tracebacks for every cause of ``exc`` the app raised or recorded ('' if none)."""
    parts: list[str] = []
    errors = exc.errors if isinstance(exc, BuilderErrors) else []
    for error in errors:
        if isinstance(error, BuilderError) and error.stack:
            parts.append(_format(error.stack, f"{type(error).__name__}: {error.message}\n"))
    original = exc.original if isinstance(exc, AppLoadError) else None
    if original is not None and original not in errors:
        frames = traceback.extract_tb(original.__traceback__)
        parts.append(_format(frames, "".join(traceback.format_exception_only(type(original), original))))
    return "".join(parts)


def _format(frames: traceback.StackSummary | list[traceback.FrameSummary], last: str) -> str:
    """From the app's first frame below kubegen's loader to its last frame above kubegen's builders."""
    items = list(frames)
    start, below_kubegen = 0, False
    for index, frame in enumerate(items):
        if is_internal_file(frame.filename):
            below_kubegen = True
        elif below_kubegen and is_user_file(frame.filename):
            start = index
            break
    end = len(items)
    while end > start + 1 and is_internal_file(items[end - 1].filename):
        end -= 1
    shown = traceback.StackSummary.from_list(items[start:end])
    return "Traceback (most recent call last):\n" + "".join(shown.format()) + last
