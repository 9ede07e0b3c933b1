"""Connection URLs, the options providers declare, and providers found through entry points.

URL grammar: ``PROVIDER://[BUCKET[/PREFIX]][?option=value&...]``. Each provider registers an
:class:`Opener` (entry-point group ``cloudneutral.providers``) declaring its options with
their types and defaults; :meth:`Opener.open` refuses unknown options and converts values,
the same way for every provider, so an adapter cannot forget the rule.

Credentials never belong in a URL: :func:`parse_url` refuses user information (however it
is encoded), user information inside URL-valued options, and options whose names mean a
secret. No message echoes an option's value or a URL's user information.

Entry points are looked up only when a provider is opened (``importlib.metadata`` is not
imported with cloudneutral).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl, unquote, urlsplit

import attrs

from .errors import ConfigurationError
from .redaction import redact

if TYPE_CHECKING:
    from .driver import ProviderDriver

__all__ = [
    "ENTRY_POINT_GROUP",
    "ConnectionURL",
    "Opener",
    "Option",
    "available_providers",
    "load_opener",
    "parse_url",
]

ENTRY_POINT_GROUP = "cloudneutral.providers"

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*$")
_SEPARATORS = re.compile(r"[\s_.\-:/]+")
#: Words that, found in an option name (case-folded, separators dropped), mean a secret.
SECRET_WORDS = (
    "pass",
    "pwd",
    "auth",
    "bearer",
    "token",
    "sas",
    "cred",
    "key",
    "secret",
    "private",
    "sig",
    "connectionstring",
    "cert",
)
#: Name endings of URL-valued options: allowed whatever their name, but checked for userinfo.
URL_SUFFIXES = ("url", "uri", "endpoint")

OptionKind = Literal["str", "int", "bool", "url"]
OptionValue = str | int | bool | None


def _normalised(name: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", name).casefold())


def is_url_option(name: str) -> bool:
    """Whether option ``name`` holds a URL (``endpoint_url``, ``auth_url`` ...)."""
    return _normalised(name).endswith(URL_SUFFIXES)


def is_secret_name(name: str) -> bool:
    """Whether option ``name`` means a credential (``Pass_Word``, ``sas-token``, full-width letters ...)."""
    plain = _normalised(name)
    return not plain.endswith(URL_SUFFIXES) and any(word in plain for word in SECRET_WORDS)


def _check_url_value(name: str, value: str) -> None:
    parts = urlsplit(value)
    if "@" in unquote(parts.netloc) or ":" in unquote(parts.netloc.rpartition("@")[0]):
        raise ConfigurationError(
            f"option {name!r} carries credentials in its URL; use the provider's standard "
            "credential chain (environment, profile files)"
        )
    for key, _ in parse_qsl(parts.query, keep_blank_values=True):
        if is_secret_name(key):
            raise ConfigurationError(f"option {name!r} carries a credential ({key!r}) in its URL")


@attrs.frozen
class Option:
    """One URL option a provider understands.

    ``kind``: ``str``, ``int`` (a whole number >= ``minimum``), ``bool`` (``true``/``false``,
    ``1``/``0``, ``yes``/``no``) or ``url`` (``http(s)://`` without credentials).
    ``default`` is the value when the URL does not give the option.
    """

    name: str
    kind: OptionKind = "str"
    default: OptionValue = None
    help: str = ""
    minimum: int | None = None

    def convert(self, raw: str) -> OptionValue:
        """``raw`` as this option's type. Raises ``ConfigurationError`` naming the option."""
        if self.kind == "int":
            if not re.fullmatch(r"\d+", raw) or (self.minimum is not None and int(raw) < self.minimum):
                low = self.minimum if self.minimum is not None else 0
                raise ConfigurationError(f"option {self.name} must be a whole number >= {low}")
            return int(raw)
        if self.kind == "bool":
            lowered = raw.lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise ConfigurationError(f"option {self.name} must be true or false")
            return lowered in ("true", "1", "yes")
        if self.kind == "url":
            if not re.match(r"^https?://[^/?#]+", raw):
                raise ConfigurationError(f"option {self.name} must be an http(s) URL")
            _check_url_value(self.name, raw)
        return raw


@attrs.frozen
class ConnectionURL:
    """A parsed connection URL. ``options`` are the raw strings of the URL; once an
    :class:`Opener` has checked them, ``values`` holds every declared option converted
    (defaults filled in), read with :meth:`str_option`, :meth:`int_option`, :meth:`bool_option`."""

    provider: str
    bucket: str | None = None
    prefix: str = ""
    options: Mapping[str, str] = attrs.field(factory=dict)
    values: Mapping[str, OptionValue] = attrs.field(factory=dict, eq=False, repr=False)

    def option(self, name: str, default: str | None = None) -> str | None:
        """The raw string of option ``name`` as the URL gave it, or ``default``."""
        return self.options.get(name, default)

    def _value(self, name: str) -> OptionValue:
        if name not in self.values:
            raise ConfigurationError(f"{self.provider} option {name!r} is not declared by its opener")
        return self.values[name]

    def str_option(self, name: str) -> str | None:
        value = self._value(name)
        return None if value is None else str(value)

    def int_option(self, name: str) -> int | None:
        value = self._value(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ConfigurationError(f"{self.provider} option {name!r} is not declared as an int")
        return value

    def bool_option(self, name: str) -> bool:
        value = self._value(name)
        if not isinstance(value, bool):
            raise ConfigurationError(f"{self.provider} option {name!r} is not declared as a bool")
        return value

    def with_location(self, bucket: str | None, prefix: str = "") -> ConnectionURL:
        """The same provider and options, pointing at another bucket and prefix."""
        return attrs.evolve(self, bucket=bucket, prefix=prefix)

    def __str__(self) -> str:
        location = (self.bucket or "") + ("/" + self.prefix if self.prefix else "")
        query = "&".join(f"{k}={v}" for k, v in sorted(self.options.items()))
        return redact(f"{self.provider}://{location}" + (f"?{query}" if query else ""))


def parse_url(url: str) -> ConnectionURL:
    """Parse ``url``; raise :class:`ConfigurationError` naming what is wrong (never echoing
    credentials)."""
    if not isinstance(url, str) or "://" not in url:
        shown = redact(url) if isinstance(url, str) else type(url).__name__
        raise ConfigurationError(f"not a connection URL (expected PROVIDER://...): {shown!r}")
    scheme, rest = url.split("://", 1)
    if not _SCHEME.match(scheme):
        raise ConfigurationError(f"invalid provider name {redact(scheme)!r} in connection URL")
    parts = urlsplit(f"{scheme}://{rest}")
    netloc = unquote(parts.netloc)
    if "@" in netloc or ":" in netloc:
        raise ConfigurationError(
            "credentials do not belong in a connection URL; use the provider's standard "
            "credential chain (environment, profile files)"
        )
    options: dict[str, str] = {}
    for name, value in parse_qsl(parts.query, keep_blank_values=True, strict_parsing=False):
        if is_secret_name(name):
            raise ConfigurationError(
                f"option {redact(name)!r} looks like a secret; credentials do not belong in a connection URL"
            )
        if "://" in value:
            _check_url_value(name, value)
        if name in options:
            raise ConfigurationError(f"option {name!r} is given twice")
        options[name] = value
    bucket = netloc or None
    prefix = unquote(parts.path.lstrip("/"))
    if prefix and not bucket:
        raise ConfigurationError("a prefix needs a bucket: PROVIDER://BUCKET/PREFIX")
    return ConnectionURL(provider=scheme, bucket=bucket, prefix=prefix, options=options)


@attrs.frozen
class Opener:
    """What a provider registers under ``cloudneutral.providers``: its options and how to open it.

    ``open`` receives the URL with ``values`` filled in and returns the driver; it may
    raise ``ConfigurationError`` (anything else it raises is wrapped in one by ``connect``).
    """

    scheme: str
    open_driver: Callable[[ConnectionURL], ProviderDriver]
    options: Sequence[Option] = ()
    doc: str = ""

    def __attrs_post_init__(self) -> None:
        for option in self.options:
            if is_secret_name(option.name):
                raise ValueError(f"option {option.name!r} of {self.scheme} would put a credential in URLs")

    def check(self, url: ConnectionURL) -> ConnectionURL:
        """``url`` with its options checked and converted. Unknown options, bad values ->
        ``ConfigurationError`` (listing the known options)."""
        declared = {o.name: o for o in self.options}
        unknown = sorted(set(url.options) - set(declared))
        if unknown:
            known = ", ".join(declared) or "none"
            raise ConfigurationError(f"unknown {self.scheme} option(s) {', '.join(unknown)}; known: {known}")
        values: dict[str, OptionValue] = {}
        for name, option in declared.items():
            raw = url.options.get(name)
            values[name] = option.default if raw is None else option.convert(raw)
        return attrs.evolve(url, values=values)

    def open(self, url: ConnectionURL) -> ProviderDriver:
        """Check ``url`` and open the driver."""
        return self.open_driver(self.check(url))


def _entry_points() -> Any:
    from importlib import metadata  # only when a provider is looked up: it is slow to import

    return metadata.entry_points(group=ENTRY_POINT_GROUP)


def available_providers() -> list[str]:
    """The names of every registered provider, sorted."""
    return sorted({ep.name for ep in _entry_points()})


def install_hint(provider: str, checkout: Path | None = None) -> str:
    """An install command that works, when this cloudneutral runs from a checkout (or
    ``checkout``) that holds an adapter for ``provider``; else ``""`` (never advise
    installing what does not exist)."""
    checkout = checkout or Path(__file__).resolve().parent.parent
    adapter = checkout / "providers" / provider
    if (adapter / "pyproject.toml").is_file() and (checkout / "pyproject.toml").is_file():
        return f"; install it with: pip install -e {checkout} -e {adapter}"
    return ""


def load_opener(provider: str) -> Opener:
    """The registered :class:`Opener` for ``provider``.

    Raises :class:`ConfigurationError` when no distribution registers it, when the
    registered module cannot be imported (typically a missing vendor SDK), or when the
    entry point is not an :class:`Opener`.
    """
    matches = [ep for ep in _entry_points() if ep.name == provider]
    if not matches:
        known = ", ".join(available_providers()) or "none"
        raise ConfigurationError(
            f"no provider {provider!r} is installed (installed: {known}){install_hint(provider)}"
        )
    try:
        opener = matches[0].load()
    except Exception as exc:  # a missing SDK (ImportError), a stale install (AttributeError) ...
        raise ConfigurationError(
            f"provider {provider!r} is registered but cannot be loaded: "
            f"{type(exc).__name__}: {redact(str(exc))}"
        ) from exc
    if not isinstance(opener, Opener):
        raise ConfigurationError(
            f"entry point {provider!r} of {ENTRY_POINT_GROUP} is {type(opener).__name__}, not an Opener"
        )
    return opener
