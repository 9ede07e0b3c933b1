"""The typed model: frozen all the way down, with a read-only escape hatch."""

from __future__ import annotations

import attrs
import pytest

from cloudneutral.models import BlobInfo, Server, ServerState


def server(native: object = None) -> Server:
    return Server("i-1", "web", ServerState.RUNNING, "small", "img", tags={"env": "prod"}, native=native)


def test_models_are_frozen() -> None:
    s = server()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        s.name = "other"  # type: ignore[misc]


def test_mappings_inside_models_are_read_only() -> None:
    s = server()
    with pytest.raises(TypeError, match="read-only"):
        s.tags["env"] = "dev"  # type: ignore[index]
    with pytest.raises(TypeError, match="read-only"):
        s.tags.update(env="dev")  # type: ignore[attr-defined]
    assert s.tags == {"env": "prod"}


def test_native_is_outside_equality_and_repr() -> None:
    assert server(native={"raw": 1}) == server(native=None)
    assert "raw" not in repr(server(native={"raw": 1}))
    assert hash(server(native=[1])) == hash(server())


def test_as_native_checks_the_type() -> None:
    assert server(native={"raw": 1}).as_native(dict) == {"raw": 1}
    with pytest.raises(TypeError, match="native object is dict, not list"):
        server(native={"raw": 1}).as_native(list)


def test_states_are_strings_for_serialisation() -> None:
    assert ServerState("running") is ServerState.RUNNING
    assert ServerState.RUNNING.value == "running"


def test_blob_info_defaults() -> None:
    info = BlobInfo("b", "k", 0)
    assert info.metadata == {} and info.checksums == {} and info.provider == ""
