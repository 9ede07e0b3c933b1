"""Listing: order, prefix, delimiter, pagination, consistency, errors."""

from __future__ import annotations

import pytest

from cloudneutral import BlobInfo, BlobPrefix, Capability, InvalidArgument, NotFound
from cloudneutral.conformance.env import Env
from cloudneutral.conformance.marks import area

AREA = area("listing", Capability.BLOBS)

KEYS = ["a", "b/1", "b/2", "b/c/3", "b0", "c/1", "d"]


def keys(items: object) -> list[str]:
    """The keys of BlobInfo items and the prefixes of BlobPrefix items, in order."""
    out = []
    for item in items:  # type: ignore[attr-defined]
        out.append(item.key if isinstance(item, BlobInfo) else f"[{item.prefix}]")
    return out


@AREA
class TestListing:
    def test_empty_bucket(self, cn: Env) -> None:
        bucket = cn.bucket()
        assert list(bucket.list()) == []
        assert list(bucket.list(delimiter="/")) == []
        pages = list(bucket.pages())
        assert sum(len(p.items) for p in pages) == 0

    def test_all_keys_in_order(self, cn: Env) -> None:
        bucket = cn.bucket()
        cn.fill(bucket, list(reversed(KEYS)))
        assert keys(bucket.list()) == sorted(KEYS)
        assert list(bucket.keys()) == sorted(KEYS)

    def test_items_carry_attributes(self, cn: Env) -> None:
        bucket = cn.bucket()
        bucket.put("sized", b"12345")
        (item,) = bucket.list()
        assert isinstance(item, BlobInfo)
        assert (item.bucket, item.key, item.size) == (bucket.name, "sized", 5)
        assert item.etag
        assert item.native is not None

    @pytest.mark.parametrize(
        ("prefix", "expected"),
        [("b", ["b/1", "b/2", "b/c/3", "b0"]), ("b/", ["b/1", "b/2", "b/c/3"]), ("x", []), ("d", ["d"])],
        ids=["b", "b-slash", "none", "exact"],
    )
    def test_prefix(self, cn: Env, prefix: str, expected: list[str]) -> None:
        bucket = cn.bucket()
        cn.fill(bucket, KEYS)
        assert keys(bucket.list(prefix=prefix)) == expected

    def test_delimiter(self, cn: Env) -> None:
        bucket = cn.bucket()
        cn.fill(bucket, KEYS)
        items = list(bucket.list(delimiter="/"))
        assert keys(items) == ["a", "[b/]", "b0", "[c/]", "d"]
        prefixes = [i for i in items if isinstance(i, BlobPrefix)]
        assert all(p.bucket == bucket.name for p in prefixes)

    def test_delimiter_with_prefix(self, cn: Env) -> None:
        bucket = cn.bucket()
        cn.fill(bucket, KEYS)
        assert keys(bucket.list(prefix="b/", delimiter="/")) == ["b/1", "b/2", "[b/c/]"]

    @pytest.mark.parametrize("page_size", [1, 2, 3])
    def test_pagination_matches_unpaged(self, cn: Env, page_size: int) -> None:
        bucket = cn.bucket()
        cn.fill(bucket, KEYS)
        unpaged = keys(bucket.list())
        pages = list(bucket.pages(page_size=page_size))
        assert all(len(p.items) <= page_size for p in pages)
        assert pages[-1].next_token is None
        assert [k for p in pages for k in keys(p.items)] == unpaged
        assert keys(bucket.list(page_size=page_size)) == unpaged

    @pytest.mark.parametrize("page_size", [1, 2])
    def test_pagination_with_delimiter(self, cn: Env, page_size: int) -> None:
        bucket = cn.bucket()
        cn.fill(bucket, KEYS)
        assert keys(bucket.list(delimiter="/", page_size=page_size)) == keys(bucket.list(delimiter="/"))

    def test_consistent_after_insert_and_delete(self, cn: Env) -> None:
        bucket = cn.bucket()
        cn.fill(bucket, ["k1", "k3"])
        assert keys(bucket.list()) == ["k1", "k3"]
        bucket.put("k2", b"x")
        assert keys(bucket.list()) == ["k1", "k2", "k3"]
        bucket.delete("k1")
        assert keys(bucket.list()) == ["k2", "k3"]
        bucket.put("k2", b"longer")
        assert [i.size for i in bucket.list() if isinstance(i, BlobInfo)] == [6, 1]

    def test_listing_is_lazy(self, cn: Env) -> None:
        bucket = cn.bucket()
        cn.fill(bucket, KEYS)
        pages = bucket.pages(page_size=2)
        first = next(pages)
        assert keys(first.items) == sorted(KEYS)[:2]
        assert first.next_token is not None

    def test_missing_bucket_is_not_found(self, cn: Env) -> None:
        bucket = cn.bucket("missing", create=False)
        with pytest.raises(NotFound):
            list(bucket.list())

    @pytest.mark.parametrize("delimiter", ["", "\n"], ids=["empty", "control-character"])
    def test_bad_delimiter_is_invalid(self, cn: Env, delimiter: str) -> None:
        bucket = cn.bucket()
        with pytest.raises(InvalidArgument, match="delimiter"):
            list(bucket.list(delimiter=delimiter))

    def test_bad_page_size_is_invalid(self, cn: Env) -> None:
        bucket = cn.bucket()
        with pytest.raises(InvalidArgument, match="page_size"):
            list(bucket.list(page_size=0))


#: Keys for delimiters other than "/": a backslash, a two-character delimiter, and keys
#: with a character sorting before the delimiter ("-" < "/" < "0").
ODD_DELIMITED = ["a-b", "a/b", "a/c", "a0", "a\\b", "a\\c", "x", "x::w", "x::y::z", "x:y"]


@AREA
class TestListingDelimitersAndPaging:
    @pytest.mark.parametrize(
        ("case", "delimiter", "prefix", "expected"),
        [
            ("slash", "/", "", ["a-b", "[a/]", "a0", "a\\b", "a\\c", "x", "x::w", "x::y::z", "x:y"]),
            ("backslash", "\\", "", ["a-b", "a/b", "a/c", "a0", "[a\\]", "x", "x::w", "x::y::z", "x:y"]),
            ("double-colon", "::", "", ["a-b", "a/b", "a/c", "a0", "a\\b", "a\\c", "x", "[x::]", "x:y"]),
            ("double-colon-prefix", "::", "x::", ["x::w", "[x::y::]"]),
            ("hyphen", "-", "a", ["[a-]", "a/b", "a/c", "a0", "a\\b", "a\\c"]),
        ],
        ids=["slash", "backslash", "double-colon", "double-colon-prefix", "hyphen"],
    )
    @pytest.mark.parametrize("page_size", [1000, 1], ids=["one-page", "pages-of-1"])
    def test_any_delimiter(
        self, cn: Env, case: str, delimiter: str, prefix: str, expected: list[str], page_size: int
    ) -> None:
        bucket = cn.bucket()
        refused = []
        for key in ODD_DELIMITED:
            try:
                bucket.put(key, b"x")
            except InvalidArgument:  # stored exactly or refused, never aliased (see test_blob_edges)
                refused.append(key)
        assert all("\\" in key for key in refused), f"refused keys without a backslash: {refused}"
        if refused:
            if "\\" in delimiter:
                pytest.skip(f"{cn.cloud.provider} refuses keys with a backslash (InvalidArgument)")
            expected = [entry for entry in expected if "\\" not in entry]
        assert keys(bucket.list(prefix=prefix, delimiter=delimiter, page_size=page_size)) == expected

    def test_pages_after_inserts_before_the_cursor(self, cn: Env) -> None:
        bucket = cn.bucket()
        cn.fill(bucket, ["k1", "k3", "k5", "k7", "k9"])
        pages = bucket.pages(page_size=2)
        assert keys(next(pages).items) == ["k1", "k3"]
        cn.fill(bucket, ["k0", "k2"])  # both sort before the cursor: no page may shift back
        cn.fill(bucket, ["k6"])  # after the cursor: the rest of the listing shows it
        rest = [k for page in pages for k in keys(page.items)]
        assert rest == ["k5", "k6", "k7", "k9"]

    def test_pages_after_deletes_before_the_cursor(self, cn: Env) -> None:
        bucket = cn.bucket()
        cn.fill(bucket, ["k1", "k3", "k5", "k7", "k9"])
        pages = bucket.pages(page_size=2)
        assert keys(next(pages).items) == ["k1", "k3"]
        bucket.delete("k1")
        bucket.delete("k3")  # no page may skip forward
        bucket.delete("k7")  # after the cursor: gone from the rest
        rest = [k for page in pages for k in keys(page.items)]
        assert rest == ["k5", "k9"]

    def test_pages_with_delimiter_after_changes(self, cn: Env) -> None:
        bucket = cn.bucket()
        cn.fill(bucket, ["a/1", "b/1", "c", "d/1", "e"])
        pages = bucket.pages(delimiter="/", page_size=2)
        assert keys(next(pages).items) == ["[a/]", "[b/]"]
        cn.fill(bucket, ["a/2", "b0"])  # "b0" sorts after the prefix "b/": it comes next
        bucket.delete("a/1")
        rest = [k for page in pages for k in keys(page.items)]
        assert rest == ["b0", "c", "[d/]", "e"]
