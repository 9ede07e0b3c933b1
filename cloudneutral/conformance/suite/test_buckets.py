"""Buckets: create, list, get, delete, and the portable naming rules."""

from __future__ import annotations

import pytest

from cloudneutral import AlreadyExists, Bucket, Capability, Conflict, InvalidArgument, NotFound
from cloudneutral.conformance.env import Env
from cloudneutral.conformance.marks import area

AREA = area("buckets", Capability.BLOBS)


@AREA
class TestBuckets:
    def test_create_returns_bucket(self, cn: Env) -> None:
        name = cn.bucket(create=False).name
        bucket = cn.cloud.blobs.create_bucket(name)
        assert isinstance(bucket, Bucket)
        assert bucket.name == name
        assert bucket.provider == cn.cloud.provider

    def test_create_duplicate_is_already_exists(self, cn: Env) -> None:
        handle = cn.bucket()
        with pytest.raises(AlreadyExists):
            cn.cloud.blobs.create_bucket(handle.name)

    def test_list_contains_created_sorted(self, cn: Env) -> None:
        first, second = cn.bucket("one"), cn.bucket("two")
        names = [b.name for b in cn.cloud.blobs.list_buckets()]
        assert first.name in names and second.name in names
        assert names == sorted(names)

    def test_get_existing(self, cn: Env) -> None:
        handle = cn.bucket()
        got = cn.cloud.blobs.get_bucket(handle.name)
        assert got.name == handle.name
        assert got.native is not None
        assert cn.cloud.blobs.bucket_exists(handle.name)

    def test_get_missing_is_not_found(self, cn: Env) -> None:
        name = cn.name("missing")
        with pytest.raises(NotFound):
            cn.cloud.blobs.get_bucket(name)
        assert not cn.cloud.blobs.bucket_exists(name)

    def test_delete(self, cn: Env) -> None:
        handle = cn.bucket()
        cn.cloud.blobs.delete_bucket(handle.name)
        with pytest.raises(NotFound):
            cn.cloud.blobs.get_bucket(handle.name)
        assert handle.name not in [b.name for b in cn.cloud.blobs.list_buckets()]

    def test_delete_missing_is_not_found(self, cn: Env) -> None:
        with pytest.raises(NotFound):
            cn.cloud.blobs.delete_bucket(cn.name("missing"))

    def test_delete_non_empty_is_conflict(self, cn: Env) -> None:
        handle = cn.bucket()
        handle.put("keep.txt", b"data")
        with pytest.raises(Conflict):
            cn.cloud.blobs.delete_bucket(handle.name)
        assert handle.get("keep.txt") == b"data"

    def test_delete_force_removes_blobs(self, cn: Env) -> None:
        handle = cn.bucket()
        cn.fill(handle, ["a", "b/c", "d/e/f"])
        cn.cloud.blobs.delete_bucket(handle.name, force=True)
        assert not cn.cloud.blobs.bucket_exists(handle.name)

    def test_recreate_after_delete(self, cn: Env) -> None:
        handle = cn.bucket()
        handle.put("old", b"1")
        cn.cloud.blobs.delete_bucket(handle.name, force=True)
        cn.cloud.blobs.create_bucket(handle.name)
        assert list(handle.list()) == []

    @pytest.mark.parametrize(
        ("name", "rule"),
        [
            ("ab", "3 to 63 characters"),
            ("a" * 64, "3 to 63 characters"),
            ("Upper-case", "lower-case"),
            ("under_score", "lower-case"),
            ("-leading", "start and end"),
            ("trailing-", "start and end"),
            ("double--hyphen", "single"),
            ("dot.ted", "lower-case letters, digits"),
        ],
        ids=["short", "long", "upper", "underscore", "leading-hyphen", "trailing-hyphen", "double", "dot"],
    )
    def test_invalid_name_names_the_rule(self, cn: Env, name: str, rule: str) -> None:
        with pytest.raises(InvalidArgument, match=rule):
            cn.cloud.blobs.create_bucket(name)
        with pytest.raises(InvalidArgument, match=rule):
            cn.cloud.blobs.bucket(name)
