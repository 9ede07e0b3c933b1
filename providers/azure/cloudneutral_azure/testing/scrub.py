"""Scrubbing rules for recorded ARM traffic (applied to the YAML text of a cassette).

What real ARM recordings carry that must not be kept: the caller's tenant and object ids in
``x-ms-operation-identifier``; real subscription ids; the signature (``s``), hash (``h``) and
signing certificate (``c``) query parameters of signed operation-status URLs; SAS signatures;
the admin password of a VM create request. Each rule maps to a fixed placeholder, so
scrubbing is deterministic and idempotent (``scrub_arm_text(scrub_arm_text(t)) ==
scrub_arm_text(t)``).
"""

from __future__ import annotations

import re

__all__ = ["ZERO_GUID", "find_arm_leaks", "scrub_arm_text"]

ZERO_GUID = "00000000-0000-0000-0000-000000000000"
REDACTED = "REDACTED"
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

_OPERATION_IDENTIFIER = re.compile(rf"tenantId={_GUID},objectId={_GUID}")
_SUBSCRIPTION = re.compile(rf"(?i)(subscriptions/){_GUID}")
_ARM_URL = re.compile(r"https://management\.azure\.com/[^\s'\"\\]+")
_SIGNED_PARAM = re.compile(r"([?&](?:c|s|h)=)[^&\s'\"\\]+")
_SAS_SIG = re.compile(r"([?&]sig=)[^&\s'\"\\]+")
_ADMIN_PASSWORD = re.compile(r"(\"adminPassword\"\s*:\s*\")[^\"]*")


def _scrub_url(match: re.Match[str]) -> str:
    return _SIGNED_PARAM.sub(lambda m: m.group(1) + REDACTED, match.group(0))


def scrub_arm_text(text: str) -> str:
    """``text`` with every rule above applied (a placeholder replaces each value)."""
    text = _OPERATION_IDENTIFIER.sub(f"tenantId={ZERO_GUID},objectId={ZERO_GUID}", text)
    text = _SUBSCRIPTION.sub(lambda m: m.group(1) + ZERO_GUID, text)
    text = _ARM_URL.sub(_scrub_url, text)
    text = _SAS_SIG.sub(lambda m: m.group(1) + REDACTED, text)
    return _ADMIN_PASSWORD.sub(lambda m: m.group(1) + REDACTED, text)


def find_arm_leaks(text: str) -> list[str]:
    """What :func:`scrub_arm_text` would still change (empty when ``text`` is clean)."""
    leaks: list[str] = []
    for name, pattern in (
        ("tenant/object id", _OPERATION_IDENTIFIER),
        ("subscription id", _SUBSCRIPTION),
        ("SAS signature", _SAS_SIG),
        ("admin password", _ADMIN_PASSWORD),
    ):
        for match in pattern.finditer(text):
            if scrub_arm_text(match.group(0)) != match.group(0):
                leaks.append(f"{name}: {match.group(0)[:60]!r}")
    for match in _ARM_URL.finditer(text):
        if _scrub_url(match) != match.group(0):
            leaks.append(f"signed operation URL: {match.group(0)[:60]!r}")
    return leaks
