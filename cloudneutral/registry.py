"""Connection URLs and the providers registered through entry points.

URL grammar: ``PROVIDER://[BUCKET[/PREFIX]][?option=value&...]``. Options are strings
that each adapter documents. Credentials never belong in a URL: a URL carrying a user or
password is refused, and so is an option whose name looks like a secret.

Providers are found only through the entry-point group ``cloudneutral.providers``; a
scheme without a registered provider is a :class:`~cloudneutral.errors.ConfigurationError`
that names the distribution to install, never a silent fallback.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from importlib import metadata
from urllib.parse import parse_qsl, unquote, urlsplit

import attrs

from .driver import ProviderDriver
from .errors import ConfigurationError

__all__ = ["ENTRY_POINT_GROUP", "ConnectionURL", "available_providers", "load_opener", "parse_url"]

ENTRY_POINT_GROUP = "cloudneutral.providers"

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*$")
_SECRET_OPTION = re.compile(r"(secret|password|passwd|token|key|credential|sig)", re.IGNORECASE)
#: Options that look like secrets by name but are not.
_NOT_SECRET = frozenset({"key_prefix"})

#: The distribution that provides each in-repo scheme, for the "please install" message.
_DISTRIBUTIONS = {
    "aws": "cloudneutral-aws",
    "azure": "cloudneutral-azure",
    "openstack": "cloudneutral-openstack",
    "rackspace": "cloudneutral-openstack",
}


@attrs.frozen
class ConnectionURL:
    """A parsed connection URL. ``prefix`` is ``""`` or ends with ``/`` unless given otherwise."""

    provider: str
    bucket: str | None = None
    prefix: str = ""
    options: Mapping[str, str] = attrs.field(factory=dict)

    def option(self, name: str, default: str | None = None) -> str | None:
        """The value of option ``name``, or ``default``."""
        return self.options.get(name, default)

    def with_location(self, bucket: str | None, prefix: str = "") -> ConnectionURL:
        """The same provider and options, pointing at another bucket and prefix."""
        return attrs.evolve(self, bucket=bucket, prefix=prefix)

    def __str__(self) -> str:
        location = (self.bucket or "") + ("/" + self.prefix if self.prefix else "")
        query = "&".join(f"{k}={v}" for k, v in sorted(self.options.items()))
        return f"{self.provider}://{location}" + (f"?{query}" if query else "")


def parse_url(url: str) -> ConnectionURL:
    """Parse ``url``; raise :class:`ConfigurationError` naming what is wrong."""
    if "://" not in url:
        raise ConfigurationError(f"not a connection URL (expected PROVIDER://...): {url!r}")
    scheme, rest = url.split("://", 1)
    if not _SCHEME.match(scheme):
        raise ConfigurationError(f"invalid provider name {scheme!r} in connection URL")
    parts = urlsplit(f"{scheme}://{rest}")
    if "@" in parts.netloc:
        raise ConfigurationError(
            "credentials do not belong in a connection URL; use the provider's standard "
            "credential chain (environment, profile files)"
        )
    options: dict[str, str] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True, strict_parsing=False):
        if _SECRET_OPTION.search(name) and name not in _NOT_SECRET:
            raise ConfigurationError(
                f"option {name!r} looks like a secret; credentials do not belong in a connection URL"
            )
        if name in options:
            raise ConfigurationError(f"option {name!r} is given twice")
        options[name] = value
    bucket = unquote(parts.netloc) or None
    prefix = unquote(parts.path.lstrip("/"))
    if prefix and not bucket:
        raise ConfigurationError("a prefix needs a bucket: PROVIDER://BUCKET/PREFIX")
    return ConnectionURL(provider=scheme, bucket=bucket, prefix=prefix, options=options)


Opener = Callable[[ConnectionURL], ProviderDriver]


def available_providers() -> list[str]:
    """The names of every registered provider, sorted."""
    return sorted({ep.name for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)})


def load_opener(provider: str) -> Opener:
    """The registered ``open`` callable for ``provider``.

    Raises :class:`ConfigurationError` when no distribution registers it, or when the
    registered module cannot be imported (typically a missing vendor SDK).
    """
    matches = [ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP) if ep.name == provider]
    if not matches:
        hint = _DISTRIBUTIONS.get(provider)
        install = f"; install it with: pip install {hint}" if hint else ""
        known = ", ".join(available_providers()) or "none"
        raise ConfigurationError(f"no provider {provider!r} is installed (installed: {known}){install}")
    try:
        opener: Opener = matches[0].load()
    except ImportError as exc:
        raise ConfigurationError(
            f"provider {provider!r} is registered but cannot be imported: {exc}"
        ) from exc
    return opener
