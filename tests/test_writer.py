"""The YAML writer against real YAML readers.

Every value kubegen writes must read back as the same value, with the same type, in
a YAML 1.1 reader (PyYAML, pure and libyaml: what kubectl's yaml.v2 implements) and
in YAML 1.2 readers (ruamel.yaml safe/pure and round-trip). Go's yaml.v2 is not
available here, so its documented resolution rules for plain scalars are encoded in
``go_yaml_v2_tag`` below and every plain scalar the writer emits is held to them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from kubegen.values import InadmissibleValue
from kubegen.writer import dump, dump_all, dump_json, quote_string, scalar

Loader = Callable[[str], Any]


def _pyyaml(loader: Any) -> Loader:
    return lambda text: yaml.load(text, Loader=loader)  # noqa: S506 - safe loaders only


def _ruamel(reader: YAML) -> Loader:
    return reader.load


RUAMEL_SAFE_PURE = YAML(typ="safe", pure=True)
LOADERS: dict[str, Loader] = {
    "pyyaml-1.1": _pyyaml(yaml.SafeLoader),
    "ruamel-1.2-safe-pure": _ruamel(RUAMEL_SAFE_PURE),
    "ruamel-1.2-default": _ruamel(YAML()),
}
if hasattr(yaml, "CSafeLoader"):
    LOADERS["pyyaml-1.1-libyaml"] = _pyyaml(yaml.CSafeLoader)

ALL_LOADERS: dict[str, Callable[[str], list[Any]]] = {
    "pyyaml-1.1": lambda text: list(yaml.load_all(text, Loader=yaml.SafeLoader)),  # noqa: S506
    "ruamel-1.2-safe-pure": lambda text: list(RUAMEL_SAFE_PURE.load_all(text)),
}

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def same(expected: Any, got: Any) -> bool:
    """Equal value AND type (``True`` is not ``1``, ``"1"`` is not ``1``, NaN equals NaN)."""
    if isinstance(expected, bool):
        return isinstance(got, bool) and got == expected
    if isinstance(expected, int):
        return isinstance(got, int) and not isinstance(got, bool) and got == expected
    if isinstance(expected, float):
        return isinstance(got, float) and (got == expected or (math.isnan(expected) and math.isnan(got)))
    if expected is None:
        return got is None
    if isinstance(expected, str):
        return isinstance(got, str) and str(got) == expected
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and all(map(same, expected, got))
    if isinstance(expected, dict):
        return (
            isinstance(got, dict)
            and len(got) == len(expected)
            and all(k in got and same(v, got[k]) for k, v in expected.items())
        )
    raise TypeError(f"unexpected {expected!r}")


def assert_round_trip(value: Any) -> str:
    """``value`` under a few keys and list levels survives every reader unchanged."""
    doc = {"v": value, "nested": {"deeper": {"v": value}}, "list": [value, [value, [value]], {"v": value}]}
    text = dump(doc)
    for name, load in LOADERS.items():
        got = load(text)
        assert same(doc, got), f"{name} read {value!r} back as {got!r} from:\n{text}"
    return text


# -- strings -------------------------------------------------------------------

TRICKY = [
    # YAML 1.1 booleans and null, any case
    "yes", "Yes", "YES", "No", "no", "NO", "on", "On", "OFF", "off", "y", "Y", "n", "N",
    "true", "True", "FALSE", "null", "Null", "NULL", "~", "",
    # numbers in YAML 1.1 and 1.2 spellings
    "0755", "0o755", "08", "1e3", "1E3", "1.0e+3", "12:30", "190:20:30", ".inf", "-.inf", "+Inf", ".NaN",
    "nan", "inf", "0x1F", "0X1f", "0b101", "1_000", "+1", "-1", "1.", ".5", "0", "00", "123",
    "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10",
    # indicators
    "=", "<<", "- x", "-", "--", "---", "...", "? x", "?", ": x", ":", "# x", "a: b", "a:", "a #b", "a#b",
    "@x", "`x", "%x", "!x", "!!str", "&x", "*x", "|", ">", "|-", "[a]", "{a: b}", "a, b", ",", "'x'", '"x"',
    # whitespace
    " x", "x ", " ", "  ", "\t", "x\t", "\tx",
    # multi-line
    "a\nb", "a\nb\n", "a\nb\n\n", "a\n\n\n", "\na", "\n", "\n\n", "a\n  \nb", "a\n\t\nb", "a\n  b\n",
    " a\nb", "\ta\nb", "a\r\nb", "line\n# not a comment\n", "a\n---\nb", "a\n...\n", "key: value\n- item\n",
    # unicode
    "\u00e9t\u00e9", "\U0001f600", "a\u2028b", "a\u2029b", "a\x85b", "\ufeffx", "x\ufeff", "\x00", "\x07",
    "\x1b[0m", "\x7f", "\x9f", "\xa0", "\ufffd", "\uffff", "a\x85\nb",
    # Kubernetes values that should stay readable
    "100m", "128Mi", "1.5Gi", "30s", "nginx:1.27", "ghcr.io/x/y@sha256:abc", "/healthz", "http",
    "app.kubernetes.io/name", "kubernetes.io/h2c", "10.0.0.1", "80-8080", "443", "80-80", "1-2-3",
    "2024-1-2", "2024-01-02", "2024-01", "0-0", "1-", "-1-2",
]

# Characters that matter to YAML, to aim the generator at the interesting corners.
_SPECIAL = list(" \t\n\r-?:#,[]{}&*!|>'\"%@`0123456789.eE+_xXbBoOyYnNtT~=<\\/a") + [
    "\x85", "\u2028", "\ufeff", "\x00", "\x7f", "\xa0", "\U0001f600",
]
strings = st.one_of(
    st.sampled_from(TRICKY),
    st.text(),
    st.text(alphabet=st.sampled_from(_SPECIAL), max_size=12),
)
# Mapping keys the API accepts are at most a few hundred characters; YAML limits
# implicit keys to 1024, so keys stay short.
keys = st.one_of(strings.filter(lambda k: len(k) <= 200), st.sampled_from(["metadata", "status", "creationTimestamp"]))


@pytest.mark.parametrize("value", TRICKY, ids=repr)
def test_tricky_string_round_trips_in_every_reader(value: str) -> None:
    assert_round_trip(value)


@pytest.mark.parametrize("value", TRICKY, ids=repr)
def test_tricky_string_round_trips_as_a_key(value: str) -> None:
    doc = {"m": {value: "v", "other": [{value: value}]}}
    text = dump(doc)
    for name, load in LOADERS.items():
        got = load(text)
        assert same(doc, got), f"{name} read key {value!r} back as {got!r} from:\n{text}"


@PROPERTY
@given(strings)
@example("a\n\n")
@example("\n a")
@example(" \n")
@example("a \n b\t\n")
def test_any_string_round_trips(value: str) -> None:
    assert_round_trip(value)


@PROPERTY
@given(st.dictionaries(keys, strings, max_size=5))
def test_any_string_keys_round_trip(mapping: dict[str, str]) -> None:
    doc = {"data": mapping, "items": [mapping, [mapping]]}
    text = dump(doc)
    for name, load in LOADERS.items():
        assert same(doc, load(text)), f"{name} changed {mapping!r}:\n{text}"


def test_yaml_1_1_words_are_quoted_not_written_plain() -> None:
    # The readers above would all be satisfied by some quoting; kubectl needs these
    # quoted in particular, so their exact form is pinned.
    for word in ("yes", "No", "on", "y", "~", "null", "0755", "1e3", "12:30", "0x1F", "1_000", "2001-12-14", "="):
        assert quote_string(word) in (f"'{word}'", f'"{word}"'), word
    assert quote_string("") == "''"
    assert quote_string("it's") == "'it''s'"


def test_kubernetes_values_stay_plain() -> None:
    for word in ("100m", "128Mi", "1.5Gi", "nginx:1.27", "/healthz", "app.kubernetes.io/name", "Always"):
        assert quote_string(word) == word


def test_multi_line_strings_become_literal_blocks() -> None:
    assert dump({"s": "a\nb\n"}) == "s: |\n  a\n  b\n"
    assert dump({"s": "a\nb"}) == "s: |-\n  a\n  b\n"
    assert dump({"s": "a\n\n"}) == "s: |+\n  a\n\n"
    assert dump({"l": ["a\nb\n"]}) == "l:\n- |\n  a\n  b\n"
    # no literal block can hold a leading space on its first line without an indentation indicator
    assert dump({"s": " a\nb"}) == 's: " a\\nb"\n'


def test_top_level_multi_line_string_is_indented() -> None:
    text = dump("a\n---\nb\n")
    assert text == "|\n  a\n  ---\n  b\n"
    for name, load in LOADERS.items():
        assert load(text) == "a\n---\nb\n", name


# -- other scalars ---------------------------------------------------------------

FLOATS = [0.0, -0.0, 1.5, -2.25, 1e20, 1e-7, 1e16, 123456789.123, 1.7976931348623157e308, 5e-324]
OTHER_SCALARS: list[Any] = [0, 1, -1, 8080, 2**63 - 1, -(2**63), True, False, None, *FLOATS]


@pytest.mark.parametrize("value", OTHER_SCALARS, ids=repr)
def test_numbers_booleans_and_null_keep_their_type(value: Any) -> None:
    assert_round_trip(value)


scalars = st.one_of(
    strings,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=24,
)


def _expected(value: Any) -> Any:
    """What the writer promises to keep: everything but ``metadata.creationTimestamp: null``."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "metadata" and isinstance(item, dict) and "creationTimestamp" in item:
                if item["creationTimestamp"] is None:
                    item = {k: v for k, v in item.items() if k != "creationTimestamp"}
            out[key] = _expected(item)
        return out
    if isinstance(value, list):
        return [_expected(v) for v in value]
    return value


@PROPERTY
@given(documents)
def test_any_document_round_trips(value: Any) -> None:
    doc = {"kind": "Test", "spec": value, "items": [value, [value]]}
    text = dump(doc)
    for name, load in LOADERS.items():
        got = load(text)
        assert same(_expected(doc), got), f"{name} read back {got!r} from:\n{text}"


@PROPERTY
@given(st.lists(st.dictionaries(keys, documents, min_size=1, max_size=3), min_size=1, max_size=3))
def test_several_documents_round_trip(docs: list[dict[str, Any]]) -> None:
    docs = [{k: v for k, v in d.items() if k != "status"} for d in docs]
    docs = [d for d in docs if d] or [{"a": 1}]
    text = dump_all(docs)
    assert text.endswith("\n")
    for name, load_all in ALL_LOADERS.items():
        got = load_all(text)
        assert same(_expected(docs), got), f"{name} read back {got!r} from:\n{text}"


# -- Go yaml.v2 (what kubectl reads YAML with) ---------------------------------------

# yaml.v2 resolve.go: the plain words it resolves to a non-string, exactly as listed
# there (case variants are listed one by one, not matched case-insensitively).
_GO_WORDS = {
    **dict.fromkeys(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"], "bool"),
    **dict.fromkeys(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"], "bool"),
    **dict.fromkeys(["", "~", "null", "Null", "NULL"], "null"),
    **dict.fromkeys([".nan", ".NaN", ".NAN"], "float"),
    **dict.fromkeys([s + w for s in ("", "+", "-") for w in (".inf", ".Inf", ".INF")], "float"),
    "<<": "merge",
}
# strconv.ParseInt/ParseUint(s, 0, 64) after removing '_', yamlStyleFloat, and the
# timestamp layouts yaml.v2 tries for plain scalars starting with 4 digits and '-'.
_GO_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)\Z")
_GO_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_GO_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]*)?.*)?\Z")


def go_yaml_v2_tag(plain: str) -> str:
    """The type Go's yaml.v2 gives a PLAIN scalar (resolve.go's rules)."""
    if plain in _GO_WORDS:
        return _GO_WORDS[plain]
    if plain[:1] in tuple("+-.0123456789"):
        if _GO_TIMESTAMP.match(plain):
            return "timestamp"
        digits = plain.replace("_", "")
        if _GO_INT.match(digits):
            return "int"
        if _GO_FLOAT.match(digits):
            return "float"
    return "str"


# The writer's own promise for plain strings that start with a digit: a Kubernetes
# quantity or duration (digits, optional fraction, then letters), never a base prefix;
# or numbers joined by hyphens (kubectl's port names, 80-8080) that are not a date.
_SAFE_DIGIT_WORD = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?[A-Za-z]+\Z")
_SAFE_HYPHENATED = re.compile(r"[0-9]+(?:-[0-9]+)+\Z")


def test_go_model_matches_the_documented_examples() -> None:
    # Sanity of the model itself, from yaml.v2's documentation and tests.
    assert go_yaml_v2_tag("yes") == "bool" and go_yaml_v2_tag("Off") == "bool"
    assert go_yaml_v2_tag("0x1F") == "int" and go_yaml_v2_tag("1_000") == "int" and go_yaml_v2_tag("0755") == "int"
    assert go_yaml_v2_tag("1e3") == "float" and go_yaml_v2_tag("-.inf") == "float"
    assert go_yaml_v2_tag("2001-12-14") == "timestamp" and go_yaml_v2_tag("<<") == "merge"
    assert go_yaml_v2_tag("100m") == "str" and go_yaml_v2_tag("yES") == "str"


def _assert_plain_is_go_string(value: str) -> None:
    text = quote_string(value)
    if text != value:  # quoted: every reader takes it as a string
        assert text[0] in "'\"", text
        return
    assert go_yaml_v2_tag(value) == "str", f"Go's yaml.v2 would not read plain {value!r} as a string"
    assert value[0].isascii() and (value[0].isalnum() or value[0] in "_/"), value
    if value[0].isdigit() and _SAFE_HYPHENATED.match(value):
        assert not re.match(r"[0-9]{4}-[0-9]+-[0-9]+\Z", value), value
    elif value[0].isdigit():
        assert _SAFE_DIGIT_WORD.match(value) and value[:2].lower() not in ("0x", "0o", "0b"), value
    assert value.lower() not in {w.lower() for w in _GO_WORDS}, value
    assert not value.endswith(":") and ": " not in value and " #" not in value, value


@pytest.mark.parametrize("value", TRICKY, ids=repr)
def test_tricky_plain_scalars_are_strings_for_go(value: str) -> None:
    _assert_plain_is_go_string(value)


@PROPERTY
@given(st.one_of(strings, st.from_regex(r"[0-9][0-9a-zA-Z._:+-]{0,8}", fullmatch=True)))
def test_plain_scalars_are_strings_for_go(value: str) -> None:
    _assert_plain_is_go_string(value)


@pytest.mark.parametrize("value", [0, 1, -7, 2**63 - 1, -(2**63)])
def test_ints_are_ints_for_go(value: int) -> None:
    assert go_yaml_v2_tag(scalar(value)) == "int"


@pytest.mark.parametrize("value", FLOATS, ids=repr)
def test_floats_are_floats_for_go(value: float) -> None:
    assert go_yaml_v2_tag(scalar(value)) == "float", scalar(value)


@pytest.mark.parametrize(("value", "message"), [
    (float("nan"), "cannot write this value: it is nan, which JSON (what kubectl sends to the API server) cannot carry"),
    (float("-inf"), "cannot write this value: it is -inf, which JSON"),
    (2**63, "cannot write this value: it is 9223372036854775808, outside the 64-bit range"),
    (10**5000, "cannot write this value: it is an integer of about 5001 digits, outside the 64-bit range"),
    ({1, 2}, "cannot write this value: it is a set ({1, 2}), which has no order: use a sorted list"),
    (b"x", "cannot write this value: it is a bytes (b'x'): manifests hold text"),
    (object(), "cannot write this value: it is an object (<object object at"),
    ("a\ud800b", "cannot write the string 'a\\ud800b': it contains the lone surrogate U+D800 at index 1"),
    ({None: 1}, "cannot write this mapping: it has the key None: mapping keys are strings in Kubernetes"),
    ({(1, 2): 1}, "cannot write this mapping: it has a tuple ((1, 2)) as a key: mapping keys are strings"),
    ({1: "a"}, "cannot write this mapping: it has the key 1 (int): mapping keys are strings in Kubernetes; write '1'"),
], ids=["nan", "-inf", "2**63", "10**5000", "set", "bytes", "object", "surrogate", "None key", "tuple key", "int key"])
def test_what_no_manifest_can_hold_is_refused_in_the_admission_rules_words(value: Any, message: str) -> None:
    with pytest.raises(InadmissibleValue) as info:
        dump({"v": [value]})
    assert str(info.value).startswith(message)
    with pytest.raises(InadmissibleValue):
        dump({"k": {"deeper": value}})


def test_booleans_and_null_for_go() -> None:
    assert [go_yaml_v2_tag(scalar(v)) for v in (True, False, None)] == ["bool", "bool", "null"]


# -- layout ------------------------------------------------------------------------


def test_layout_follows_kubectl() -> None:
    obj = {
        "spec": {"ports": [{"port": 80}], "selector": {}, "tags": []},
        "status": {"loadBalancer": {}},
        "metadata": {"name": "web", "creationTimestamp": None},
        "kind": "Service",
        "apiVersion": "v1",
        "zeta": 1,
    }
    assert dump(obj) == (
        "apiVersion: v1\n"
        "kind: Service\n"
        "metadata:\n"
        "  name: web\n"
        "spec:\n"
        "  ports:\n"
        "  - port: 80\n"
        "  selector: {}\n"
        "  tags: []\n"
        "zeta: 1\n"
    )


def test_creation_timestamp_null_is_dropped_at_any_depth_but_not_a_real_one() -> None:
    obj = {"spec": {"template": {"metadata": {"creationTimestamp": None, "labels": {"a": "b"}}}},
           "metadata": {"name": "x", "creationTimestamp": "2024-01-01T00:00:00Z"}}
    loaded = yaml.safe_load(dump(obj))
    assert loaded["spec"]["template"]["metadata"] == {"labels": {"a": "b"}}
    assert loaded["metadata"]["creationTimestamp"] == "2024-01-01T00:00:00Z"


def test_documents_are_separated_and_end_with_newline() -> None:
    assert dump_all([]) == ""
    assert dump_all([{"a": 1}, {"b": [[1, 2], []]}]) == "a: 1\n---\nb:\n-\n  - 1\n  - 2\n- []\n"


def test_json_output_is_one_object_or_a_list() -> None:
    one = {"kind": "A", "status": {}, "apiVersion": "v1"}
    assert json.loads(dump_json([one])) == {"apiVersion": "v1", "kind": "A"}
    assert list(json.loads(dump_json([one]))) == ["apiVersion", "kind"]
    both = json.loads(dump_json([one, {"kind": "B"}]))
    assert both == {"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "A"}, {"kind": "B"}]}


def test_rendering_is_deterministic() -> None:
    obj = {"kind": "X", "data": {k: k * 3 for k in TRICKY if k}}
    assert dump(obj) == dump(dict(obj))


def test_str_and_int_subclasses_are_written_as_their_value() -> None:
    import enum

    class Protocol(str, enum.Enum):
        TCP = "TCP"
        YES = "yes"

    class Port(enum.IntEnum):
        HTTP = 80

    obj = {"protocol": Protocol.TCP, "flag": Protocol.YES, Protocol.TCP: Port.HTTP}
    text = dump(obj)
    assert text == "protocol: TCP\nflag: 'yes'\nTCP: 80\n"
    assert json.loads(dump_json([obj])) == yaml.safe_load(text)


_WRITER_PATTERNS = [
    (r"[A-Za-z_/][A-Za-z0-9_./:@+=-]*(?: [A-Za-z0-9_./:@+=()-]+)*", "is_plain_word", "aZ09_/.:@+=-() \t#\u00e9"),
    (r"(?:[1-9][0-9]*|0)(?:\.[0-9]+)?[A-Za-z]+", "is_numeric_word", "0129.mMiGe-+x\u0661"),
    (r"[0-9]+(?:-[0-9]+)+", "is_hyphenated_number", "0129-.a"),
]


@pytest.mark.parametrize(("pattern", "name", "alphabet"), _WRITER_PATTERNS, ids=[n for _, n, _ in _WRITER_PATTERNS])
@settings(max_examples=500, deadline=None)
@given(data=st.data())
def test_plain_scalar_rules_match_their_patterns(pattern: str, name: str, alphabet: str, data: st.DataObject) -> None:
    """The writer's plain-scalar tests are character sets; each matches its pattern exactly."""
    from kubegen import writer

    value = data.draw(st.text(alphabet=alphabet, max_size=14) | st.text(max_size=5))
    assert getattr(writer, name)(value) == bool(re.fullmatch(pattern, value)), (pattern, value)
