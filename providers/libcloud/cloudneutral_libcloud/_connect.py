"""Building libcloud driver objects from a ``libcloud://`` URL and the environment.

Credentials come only from the environment, never from the URL: ``LIBCLOUD_KEY`` /
``LIBCLOUD_SECRET`` first, then the vendor's usual variables (:data:`VENDOR_ENV`). Extra
constructor arguments arrive as ``driver_args=name:value,name:value``; an argument whose
name means a secret is refused, like a URL option of that name.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from cloudneutral.errors import ConfigurationError
from cloudneutral.registry import ConnectionURL, is_secret_name

__all__ = ["VENDOR_ENV", "Credentials", "compute_driver", "credentials", "driver_args", "storage_driver"]

#: libcloud provider name -> (key variable, secret variable, token variable) besides LIBCLOUD_*.
VENDOR_ENV: Mapping[str, tuple[str, str, str | None]] = {
    "s3": ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"),
    "minio": ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", None),
    "azure_blobs": ("AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY", None),
    "ec2": ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"),
}


class Credentials:
    """A key, a secret and a session token; ``repr`` never shows them."""

    def __init__(self, key: str, secret: str | None, token: str | None) -> None:
        self.key, self.secret, self.token = key, secret, token

    def values(self) -> tuple[str, ...]:
        """Every non-empty value, for redaction."""
        return tuple(v for v in (self.key, self.secret, self.token) if v)

    def __repr__(self) -> str:
        return "Credentials(<redacted>)"


def credentials(provider: str, env: Mapping[str, str] | None = None) -> Credentials:
    """The credentials of libcloud provider ``provider``. None found -> ``ConfigurationError``
    naming the variables looked at (never their values)."""
    env = os.environ if env is None else env
    key_var, secret_var, token_var = VENDOR_ENV.get(provider, ("", "", None))
    key = env.get("LIBCLOUD_KEY") or (env.get(key_var) if key_var else None)
    secret = env.get("LIBCLOUD_SECRET") or (env.get(secret_var) if secret_var else None)
    token = env.get("LIBCLOUD_TOKEN") or (env.get(token_var) if token_var else None)
    if not key:
        names = " or ".join(n for n in ("LIBCLOUD_KEY", key_var) if n)
        raise ConfigurationError(f"libcloud driver {provider!r} needs credentials: set {names}")
    return Credentials(key, secret or None, token or None)


def _value(raw: str) -> str | int | bool:
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    return int(raw) if raw.isdigit() else raw


def driver_args(raw: str | None) -> dict[str, Any]:
    """``name:value,name:value`` as keyword arguments (``true``/``false`` and whole numbers
    converted). A malformed pair or a secret-looking name -> ``ConfigurationError``."""
    found: dict[str, Any] = {}
    for pair in (raw or "").split(","):
        if not pair.strip():
            continue
        name, sep, value = pair.partition(":")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ConfigurationError("option driver_args must be name:value pairs separated by commas")
        if is_secret_name(name):
            raise ConfigurationError(
                f"driver argument {name!r} looks like a secret; credentials come from the environment"
            )
        found[name] = _value(value.strip())
    return found


def _kwargs(url: ConnectionURL, provider: str, creds: Credentials) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if creds.secret is not None:
        kwargs["secret"] = creds.secret
    if creds.token is not None and provider in ("s3", "ec2"):
        kwargs["token"] = creds.token
    for name in ("host", "region"):
        value = url.str_option(name)
        if value:
            kwargs[name] = value
    port = url.int_option("port")
    if port is not None:
        kwargs["port"] = port
    if url.options.get("secure") is not None:
        kwargs["secure"] = url.bool_option("secure")
    kwargs.update(driver_args(url.str_option("driver_args")))
    return kwargs


def storage_driver(url: ConnectionURL, provider: str, env: Mapping[str, str] | None = None) -> Any:
    """A libcloud ``StorageDriver`` for ``provider`` (``s3``, ``azure_blobs`` ...)."""
    from libcloud.storage.providers import get_driver

    try:
        cls = get_driver(provider)
    except AttributeError as exc:
        raise ConfigurationError(f"libcloud has no storage driver {provider!r}") from exc
    creds = credentials(provider, env)
    return cls(creds.key, **_kwargs(url, provider, creds)), creds


def compute_driver(url: ConnectionURL, provider: str, env: Mapping[str, str] | None = None) -> Any:
    """A libcloud ``NodeDriver`` for ``provider`` (``dummy``, ``ec2`` ...)."""
    from libcloud.compute.providers import get_driver

    try:
        cls = get_driver(provider)
    except AttributeError as exc:
        raise ConfigurationError(f"libcloud has no compute driver {provider!r}") from exc
    creds = credentials(provider, env)
    return cls(creds.key, **_kwargs(url, provider, creds)), creds
