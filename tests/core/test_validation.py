"""The portable naming rules."""

from __future__ import annotations

import pytest

from cloudneutral.errors import InvalidArgument
from cloudneutral.validation import (
    check_bucket_name,
    check_key,
    check_metadata,
    check_range,
    check_resource_name,
    check_tags,
)


@pytest.mark.parametrize("name", ["abc", "a-b-c", "photos2024", "0" * 63, "a1-2b"])
def test_portable_bucket_names_pass(name: str) -> None:
    assert check_bucket_name(name) == name


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("ab", "3 to 63"),
        ("a" * 64, "3 to 63"),
        ("Photos", "lower-case"),
        ("-abc", "start and end"),
        ("abc-", "start and end"),
        ("a--b", "single hyphens"),
        ("a.b.c", "lower-case letters, digits"),
        ("a_b", "lower-case letters, digits"),
    ],
)
def test_bad_bucket_names_name_the_rule(name: str, rule: str) -> None:
    with pytest.raises(InvalidArgument, match=rule):
        check_bucket_name(name)


@pytest.mark.parametrize(
    "key", ["a", "with space", "ünïcødé/ключ", "a..b", "a//b", "dir/", "%2F+?#&", "é" * 512]
)
def test_portable_keys_pass(key: str) -> None:
    assert check_key(key) == key


@pytest.mark.parametrize(
    ("key", "rule"),
    [
        ("", "non-empty"),
        ("é" * 513, "1026 bytes"),
        ("a\x00b", "control characters"),
        ("tab\there", "control characters"),
        ("/abs", "start with '/'"),
        ("a/../b", r"'\.\.' path segment"),
        ("./a", r"'\.' or '\.\.'"),
        ("..", "path segment"),
    ],
)
def test_bad_keys_name_the_rule(key: str, rule: str) -> None:
    with pytest.raises(InvalidArgument, match=rule):
        check_key(key)


def test_metadata_keys_are_lowered_and_case_duplicates_refused() -> None:
    assert check_metadata({"Owner": "ann", "TAG2": "x"}) == {"owner": "ann", "tag2": "x"}
    with pytest.raises(InvalidArgument, match="differ only by case"):
        check_metadata({"owner": "a", "OWNER": "b"})


@pytest.mark.parametrize("key", ["with-hyphen", "under_score", "2start", "sp ace", ""])
def test_metadata_keys_must_be_letters_and_digits(key: str) -> None:
    with pytest.raises(InvalidArgument, match="ASCII letters and digits"):
        check_metadata({key: "v"})


@pytest.mark.parametrize("value", ["tab\t", "ünicode", " padded", "new\nline"])
def test_metadata_values_must_be_printable_ascii(value: str) -> None:
    with pytest.raises(InvalidArgument, match="printable ASCII"):
        check_metadata({"k": value})


def test_metadata_total_size_is_bounded() -> None:
    check_metadata({"k": "v" * 2047})
    with pytest.raises(InvalidArgument, match="limit is 2048"):
        check_metadata({"k": "v" * 2048})


@pytest.mark.parametrize("name", ["web", "web-1", "A1", "x" * 63])
def test_resource_names_pass(name: str) -> None:
    assert check_resource_name("server", name) == name


@pytest.mark.parametrize("name", ["", "1web", "web-", "we_b", "x" * 64, "web.example"])
def test_bad_resource_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidArgument, match="server name"):
        check_resource_name("server", name)


def test_tags_are_bounded() -> None:
    assert check_tags({"env": "prod"}) == {"env": "prod"}
    with pytest.raises(InvalidArgument, match="limit is 40"):
        check_tags({f"k{i}": "v" for i in range(41)})
    with pytest.raises(InvalidArgument, match="tag key"):
        check_tags({"": "v"})
    with pytest.raises(InvalidArgument, match="tag value"):
        check_tags({"k": "v" * 257})


def test_ranges() -> None:
    check_range(0, None)
    check_range(5, 5)
    with pytest.raises(InvalidArgument, match="start"):
        check_range(-1, None)
    with pytest.raises(InvalidArgument, match="end"):
        check_range(5, 4)
