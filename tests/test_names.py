"""The name rules of kubegen.names are written as character-set tests (no regular
expression to compile at start-up). Each is held here to the pattern it stands for,
as apimachinery's validation writes it, over generated strings that mix the allowed
characters with the near misses (upper case, '_', '.', '/', non-ASCII digits and
letters, a trailing newline, which ``$`` would let through)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kubegen import names

ALPHABET = "az09AZ-._/ \n\t" + "\u0661\u00e9\u212a"  # ARABIC-INDIC DIGIT ONE, é, KELVIN SIGN
TEXT = st.text(alphabet=ALPHABET, max_size=12) | st.text(max_size=6)

PATTERNS: list[tuple[str, Callable[[str], bool]]] = [
    (r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", names.is_dns1123_label),
    (r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", names.is_dns1123_subdomain),
    (r"[a-z]([-a-z0-9]*[a-z0-9])?", names.is_dns1035_label),
    (r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]", names.is_qualified_name_part),
]


@pytest.mark.parametrize(("pattern", "test"), PATTERNS, ids=[t.__name__ for _, t in PATTERNS])
@settings(max_examples=400, deadline=None)
@given(value=TEXT)
@example(value="")
@example(value="a")
@example(value="a-")
@example(value="-a")
@example(value="a\n")
@example(value="a..b")
@example(value="web.shop")
@example(value="\u0661")
def test_character_set_rules_match_their_patterns(pattern: str, test: Callable[[str], bool], value: str) -> None:
    assert test(value) == bool(re.fullmatch(pattern, value, re.ASCII)), (pattern, value)


@settings(max_examples=300, deadline=None)
@given(value=TEXT)
@example(value="http")
@example(value="")
def test_port_and_key_rules_match_their_patterns(value: str) -> None:
    port_chars_ok = "must contain only lower case alphanumeric characters or '-'" not in names.port_name_problems(value)
    assert port_chars_ok == bool(re.fullmatch(r"[-a-z0-9]+", value, re.ASCII))
    key_chars_ok = "must consist of alphanumeric characters, '-', '_' or '.'" not in names.config_key_problems(value)
    assert key_chars_ok == bool(re.fullmatch(r"[-._a-zA-Z0-9]+", value, re.ASCII))


@pytest.mark.parametrize(("value", "valid"), [
    ("web", True), ("web-1", True), ("1web", True), ("Web", False), ("web_1", False), ("web.1", False),
    ("-web", False), ("web-", False), ("", False), ("a" * 63, True), ("a" * 64, False),
])
def test_dns1123_label_problems(value: str, valid: bool) -> None:
    assert (names.dns1123_label_problems(value) == []) is valid


@pytest.mark.parametrize(("value", "valid"), [
    ("app", True), ("app.kubernetes.io/name", True), ("example.com/My_Name", True), ("/name", False),
    ("example.com/", False), ("a/b/c", False), ("Example.com/name", False), ("name-", False), ("_name", False),
])
def test_qualified_name_problems(value: str, valid: bool) -> None:
    assert (names.qualified_name_problems(value) == []) is valid


QUANTITY = r"([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?"


@settings(max_examples=500, deadline=None)
@given(value=st.text(alphabet="0123456789.+-eEKMGTPEinumk \u0661", max_size=8) | st.text(max_size=4))
@example(value="e3")
@example(value="1e+-3")
@example(value="1.")
@example(value=".5")
@example(value=".")
@example(value="1E")
@example(value="1Ei")
@example(value="\u0661")
def test_split_quantity_matches_apimachinerys_grammar(value: str) -> None:
    from kubegen import facts

    match = re.fullmatch(QUANTITY, value)
    expected = None if match is None else (match.group(1), match.group(2) or "")
    assert facts.split_quantity(value) == expected
