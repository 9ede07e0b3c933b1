"""One error tree for every provider.

Every failure that cloudneutral raises is a :class:`CloudError`. Adapters translate
their SDK's exceptions into these classes and keep the native exception as
``__cause__`` (``raise NotFound(...) from exc``), so nothing about the original
failure is lost and nothing vendor-specific leaks into user code::

    CloudError
    ├── ConfigurationError     bad URL, unknown provider, missing adapter distribution
    ├── InvalidArgument        a portable rule was broken (the message names the rule)
    ├── NotFound               bucket, blob, server, volume, snapshot, size, image ...
    ├── AlreadyExists          the name is taken
    ├── Conflict               the resource is in a state that forbids the operation
    ├── AuthenticationError    credentials missing, wrong or expired
    ├── PermissionDenied       authenticated, but not allowed
    ├── QuotaExceeded          a limit of the account was reached
    ├── Unsupported            the provider lacks the capability
    ├── IntegrityError         data arrived, but its checksum does not match
    ├── Timeout                a wait ran out of time           (transient)
    └── ProviderError          any other failure of the provider
        └── TransientError     throttling, 5xx, dropped connection (transient, retried)

``error.transient`` tells a failure worth retrying later from a permanent one; the CLI
turns it into its exit code.
"""

from __future__ import annotations

__all__ = [
    "AlreadyExists",
    "AuthenticationError",
    "CloudError",
    "ConfigurationError",
    "Conflict",
    "IntegrityError",
    "InvalidArgument",
    "NotFound",
    "PermissionDenied",
    "ProviderError",
    "QuotaExceeded",
    "Timeout",
    "TransientError",
    "Unsupported",
]


class CloudError(Exception):
    """Base class of every error cloudneutral raises.

    ``provider`` names the provider that failed (``""`` when none was involved).
    """

    transient: bool = False

    def __init__(self, message: str, *, provider: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider

    def __str__(self) -> str:
        return f"{self.provider}: {self.message}" if self.provider else self.message


class ConfigurationError(CloudError):
    """The connection URL or the installation is wrong (unknown provider, missing extra)."""


class InvalidArgument(CloudError):
    """An argument broke a portable rule; the message names the rule."""


class NotFound(CloudError):
    """The resource does not exist."""


class AlreadyExists(CloudError):
    """A resource with that name already exists."""


class Conflict(CloudError):
    """The resource's state forbids the operation (non-empty bucket, attached volume ...)."""


class AuthenticationError(CloudError):
    """Credentials are missing, wrong or expired."""


class PermissionDenied(CloudError):
    """The credentials are valid but not allowed to do this."""


class QuotaExceeded(CloudError):
    """An account limit was reached."""


class Unsupported(CloudError):
    """The provider does not have this capability."""


class IntegrityError(CloudError):
    """Data was transferred but its checksum does not match the expected one."""


class Timeout(CloudError):
    """A wait for a state ran out of time."""

    transient = True


class ProviderError(CloudError):
    """The provider failed in a way no other class describes."""


class TransientError(ProviderError):
    """A failure that may pass: throttling, a 5xx answer, a dropped connection.

    The portable layer retries these with bounded, jittered back-off.
    """

    transient = True
