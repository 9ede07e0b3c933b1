"""A fake ``TokenCredential`` for replays and for the ARM test peer (never a real token)."""

from __future__ import annotations

import time
from typing import Any

from azure.core.credentials import AccessToken, AccessTokenInfo

__all__ = ["FAKE_TOKEN", "FakeCredential"]

#: The bearer token every fake credential hands out. The ARM peer accepts any token.
FAKE_TOKEN = "cloudneutral-fake-token"


class FakeCredential:
    """Implements ``TokenCredential`` and ``SupportsTokenInfo``; valid for a day, never refreshed."""

    def __init__(self, token: str = FAKE_TOKEN) -> None:
        self._token = token
        self.scopes: list[tuple[str, ...]] = []  # what was asked for, for tests

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self._token, int(time.time()) + 86400)

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        self.scopes.append(scopes)
        return AccessTokenInfo(self._token, int(time.time()) + 86400)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> FakeCredential:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
