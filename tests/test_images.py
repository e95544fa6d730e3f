"""The image-reference grammar of kubegen.checks.images is written as character-set
tests (no regular expression to compile at start-up). Each is held here to the
pattern of distribution/reference's grammar that it stands for, over generated
strings of the allowed characters and the near misses."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubegen.checks import images

PATTERNS: list[tuple[str, Callable[[str], bool], str]] = [
    (r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*", images.is_path_component, "az09._-A/"),
    (r"(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
     r"|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?", images.is_domain, "aZ09.-:[]f_"),
    (r"[\w][\w.-]{0,127}", images.is_tag, "aZ09_.-:\u00e4"),
    (r"[a-f0-9]{64}", images.is_image_id, "af09g"),
]


@pytest.mark.parametrize(("pattern", "test", "alphabet"), PATTERNS, ids=[t.__name__ for _, t, _ in PATTERNS])
@settings(max_examples=500, deadline=None)
@given(data=st.data())
def test_character_set_rules_match_the_grammar(
    pattern: str, test: Callable[[str], bool], alphabet: str, data: st.DataObject,
) -> None:
    size = 70 if test is images.is_image_id else 140 if test is images.is_tag else 12
    value = data.draw(st.text(alphabet=alphabet, max_size=size) | st.text(max_size=5))
    assert test(value) == bool(re.fullmatch(pattern, value, re.ASCII)), (pattern, value)


@pytest.mark.parametrize(("value", "valid"), [
    ("a", True), ("a.b", True), ("a_b", True), ("a__b", True), ("a---b", True), ("a___b", False), ("a._b", False),
    ("a-_b", False), ("_a", False), ("a-", False), ("A", False), ("", False),
])
def test_path_components(value: str, valid: bool) -> None:
    assert images.is_path_component(value) is valid


@pytest.mark.parametrize(("value", "valid"), [
    ("ghcr.io", True), ("localhost:5000", True), ("[::1]:5000", True), ("[::1]", True), ("My-Registry.io", True),
    ("-a.io", False), ("a..io", False), ("a.io:", False), ("a.io:50:1", False), ("[]", False), ("[::1]x", False),
])
def test_domains(value: str, valid: bool) -> None:
    assert images.is_domain(value) is valid


@pytest.mark.parametrize(("ref", "problem"), [
    ("ghcr.io/example/shop-frontend:1.4.2", None),
    ("nginx", None),
    ("localhost:5000/team/app@sha256:" + "a" * 64, None),
    ("ghcr.io/Example/app:1", "upper-case letters in repository 'Example'"),
    ("app:-1", "has tag '-1'"),
    ("app:1.0-\u00e4", "has tag"),
    ("a" * 64, "image ID"),
    ("my_registry.io:x/app", "is not a host name"),
])
def test_image_problems(ref: str, problem: str | None) -> None:
    found = images.image_problems(ref)
    if problem is None:
        assert found == []
    else:
        assert any(problem in text for text in found), found
