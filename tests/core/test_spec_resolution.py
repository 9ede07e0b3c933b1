"""Resolving a portable server spec against a provider's catalogue."""

from __future__ import annotations

import pytest

from cloudneutral.errors import NotFound
from cloudneutral.models import Image, Size
from cloudneutral.servers import pick_image, pick_size

SIZES = [
    Size("big", 8, 32768),
    Size("small", 1, 1024),
    Size("medium-mem", 2, 8192),
    Size("medium", 2, 4096),
]
IMAGES = [
    Image("ami-1", "ubuntu-22.04", "ubuntu"),
    Image("ami-2", "ubuntu-24.04", "ubuntu"),
    Image("ami-3", "debian-12", "debian"),
    Image("ami-4", "windows-2022", "windows"),
]


def test_size_by_name() -> None:
    assert pick_size(SIZES, "big", None, None).name == "big"


def test_smallest_size_that_fits() -> None:
    assert pick_size(SIZES, None, 2, None).name == "medium"
    assert pick_size(SIZES, None, 2, 5000).name == "medium-mem"
    assert pick_size(SIZES, None, None, None).name == "small"


def test_no_size_fits() -> None:
    with pytest.raises(NotFound, match="at least 16 vCPUs"):
        pick_size(SIZES, None, 16, None)
    with pytest.raises(NotFound, match="no size named 'huge'"):
        pick_size(SIZES, "huge", None, None)


def test_image_by_id_or_name() -> None:
    assert pick_image(IMAGES, "ami-3", None).name == "debian-12"
    assert pick_image(IMAGES, "windows-2022", None).id == "ami-4"


def test_newest_image_of_an_os_family_case_insensitively() -> None:
    assert pick_image(IMAGES, None, "Ubuntu").id == "ami-2"


def test_no_image() -> None:
    with pytest.raises(NotFound, match="OS family 'plan9'"):
        pick_image(IMAGES, None, "plan9")
    with pytest.raises(NotFound, match="id or name 'ami-9'"):
        pick_image(IMAGES, "ami-9", None)
