"""When is a wrong value *one* obvious slip away from a right one?

``lint`` suggests generously ("did you mean ...?"); ``lint --fix`` rewrites only when
the intended value is beyond doubt. Two strengths of match:

- :func:`same_word`: equal but for letter case and ``-``/``_``/space
  (``ClusterIp`` -> ``ClusterIP``, ``udp`` -> ``UDP``, ``node_port`` -> ``NodePort``);
- :func:`near_miss`: one typing slip in a word of some length: one letter added,
  dropped, changed or two swapped (``reports`` -> ``report``, ``protectionDoamin`` ->
  ``protectionDomain``), never a digit (``web-1`` and ``web-2`` are two things, not a
  typo) and never in a short word (``api`` and ``app`` are different apps), except
  among a container's port names: a targetPort names one of the few ports the selected
  pods declare (``htpp`` -> ``http``), where :data:`MIN_PORT_NAME_TYPO_LENGTH` holds.

:func:`unique_match` applies them to a set of candidates and answers only when exactly
one candidate matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MIN_TYPO_LENGTH = 5
"""Shorter words are never corrected by edit distance (only by case)."""
MIN_PORT_NAME_TYPO_LENGTH = 4
"""For port names (``http``, ``grpc``, ``dns``: short by nature, and chosen from the few a
pod declares), words of four letters are corrected too."""

_SEPARATORS = re.compile(r"[-_ ]")


def fold(word: str) -> str:
    """``Cluster-IP`` -> ``clusterip``: the word without case and separators."""
    return _SEPARATORS.sub("", word).casefold()


def same_word(wrong: str, right: str) -> bool:
    """Equal but for letter case and separators (and not already equal)."""
    return wrong != right and fold(wrong) == fold(right)


def near_miss(wrong: str, right: str, min_length: int = MIN_TYPO_LENGTH) -> bool:
    """One slip (insertion, deletion, substitution or swap of neighbours) apart, in words
    of at least ``min_length`` characters, and the slip is not a digit."""
    if wrong == right or same_word(wrong, right):
        return wrong != right
    if min(len(wrong), len(right)) < min_length or abs(len(wrong) - len(right)) > 1:
        return False
    slip = _one_slip(wrong, right)
    return slip is not None and not any(ch.isdigit() for ch in slip)


def _one_slip(a: str, b: str) -> str | None:
    """The characters involved if ``a`` and ``b`` differ by exactly one edit, else None."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    mid_a, mid_b = a[start:end_a], b[start:end_b]
    if len(mid_a) + len(mid_b) == 1:  # one character inserted or dropped
        return mid_a + mid_b
    if len(mid_a) == len(mid_b) == 1:  # one character changed
        return mid_a + mid_b
    if len(mid_a) == len(mid_b) == 2 and mid_a == mid_b[::-1]:  # two neighbours swapped
        return mid_a
    return None


def unique_match(wrong: str, candidates: Iterable[str], min_length: int = MIN_TYPO_LENGTH) -> str | None:
    """The one candidate ``wrong`` was meant to be, or None when there is none or several.

    A candidate equal but for case (:func:`same_word`) wins over typo matches; two such
    candidates, or two typo matches, are a doubt and give None.
    """
    pool = {c for c in candidates if isinstance(c, str)}
    if wrong in pool:
        return None  # it is right after all
    options = sorted(pool)
    by_case = [c for c in options if same_word(wrong, c)]
    if by_case:
        return by_case[0] if len(by_case) == 1 else None
    typos = [c for c in options if near_miss(wrong, c, min_length)]
    return typos[0] if len(typos) == 1 else None
