"""The one secret redactor: error messages, CLI lines, cassettes and harnesses all use it.

:func:`redact` replaces every credential shape it knows with :data:`REDACTED`: access key
ids, signatures and credential scopes of signed URLs, SAS signatures, bearer / SharedKey /
Basic credentials, Keystone tokens, passwords and keys in ``key=value``, JSON and XML
forms, the user information of URLs, and the literal values of secrets this process knows
(:func:`remember`, and the standard credential environment variables of each vendor).
It never raises and is idempotent: ``redact(redact(x)) == redact(x)``.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable

__all__ = ["REDACTED", "find_secrets", "known_secrets", "redact", "remember"]

REDACTED = "REDACTED"

#: Environment variables whose values are credentials in some vendor's standard chain.
SECRET_ENVIRONMENT = (
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AZURE_STORAGE_KEY",
    "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_SAS_TOKEN",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "OS_PASSWORD",
    "OS_TOKEN",
    "OS_AUTH_TOKEN",
    "OS_API_KEY",
    "OS_APPLICATION_CREDENTIAL_SECRET",
    "RACKSPACE_API_KEY",
)
#: Secrets shorter than this are not searched for literally (they would match everywhere).
MIN_LITERAL = 6

_KEY_NAMES = (
    r"AccountKey|SharedAccessSignature|SharedAccessKey|password|passwd|client_secret|"
    r"access_token|refresh_token|id_token|api_?key|secret_access_key|SecretAccessKey|"
    r"SessionToken|session_token|SecretKey|secret|sig|X-Amz-Signature|X-Amz-Credential|"
    r"X-Amz-Security-Token|Signature|Credential"
)
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # <SecretAccessKey>...</SecretAccessKey> (STS, IMDS-style XML)
    (re.compile(rf"<({_KEY_NAMES}|AccessKeyId)>[^<]*</", re.IGNORECASE), rf"<\1>{REDACTED}</"),
    # "password": "..."  /  'token': '...'
    (re.compile(rf"([\"']({_KEY_NAMES}|token)[\"']\s*:\s*[\"'])[^\"']*", re.IGNORECASE), rf"\1{REDACTED}"),
    # AccountKey=...;  password=...&  sig=...  Signature=... (query strings, connection strings)
    (re.compile(rf"\b({_KEY_NAMES})=(?!{REDACTED})[^;&\s\"'<,]+", re.IGNORECASE), rf"\1={REDACTED}"),
    # Bearer / SharedKey / Basic credentials anywhere
    (
        re.compile(rf"\b(Bearer|SharedKey|SharedKeyLite|Basic)\s+(?!{REDACTED})[A-Za-z0-9._~+/=:-]{{8,}}"),
        rf"\1 {REDACTED}",
    ),
    # Keystone (Fernet) tokens: gAAAA...
    (re.compile(r"\bgAAAA[A-Za-z0-9_-]{20,}=*"), REDACTED),
    # Swift tempauth tokens
    (re.compile(r"\bAUTH_tk[0-9a-f]{16,}"), REDACTED),
    # AWS access key ids
    (re.compile(r"\b(AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b"), REDACTED),
    # user:password@ in URLs
    (re.compile(rf"(\b[a-z][a-z0-9+.-]*://)(?!{REDACTED}@)[^/@\s\"'<>]+@", re.IGNORECASE), rf"\1{REDACTED}@"),
)

_lock = threading.Lock()
_remembered: set[str] = set()


def remember(*values: str | None) -> None:
    """Add secrets this process holds (e.g. keys an SDK loaded) to what :func:`redact` removes."""
    with _lock:
        _remembered.update(v for v in values if v and len(v) >= MIN_LITERAL)


def known_secrets() -> frozenset[str]:
    """The literal secrets :func:`redact` removes: remembered ones and credential variables."""
    from_env = (os.environ.get(name) for name in SECRET_ENVIRONMENT)
    with _lock:
        return frozenset(_remembered | {v for v in from_env if v and len(v) >= MIN_LITERAL})


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """``text`` without any credential :mod:`redaction` knows, nor any of ``extra``."""
    literals = sorted(
        known_secrets() | {e for e in extra if e and len(e) >= MIN_LITERAL}, key=len, reverse=True
    )
    for literal in literals:
        text = text.replace(literal, REDACTED)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def find_secrets(text: str, known: Iterable[str] = ()) -> list[str]:
    """Descriptions of credentials left in ``text`` (empty when clean); ``known`` are literal
    secret values that must not appear at all. Used to check recorded cassettes."""
    found = [f"literal secret ending {value[-4:]!r}" for value in known if value and value in text]
    for pattern, _ in _RULES:
        for match in pattern.finditer(text):
            if REDACTED not in match.group(0):
                found.append(f"unscrubbed {match.group(0)[:24]!r}...")
    return found
