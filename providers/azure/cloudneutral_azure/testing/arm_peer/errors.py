"""ARM error bodies, ``{"error": {"code": ..., "message": ...}}``, with ARM's codes and statuses.

Codes and messages of ``ResourceGroupNotFound`` and ``ResourceNotFound`` follow real ARM
answers; the others (``OperationNotAllowed``, ``Conflict``, ``InvalidParameter``, ...)
exist in no recording this project holds: they are **synthesized** from ARM's documented
error codes and marked so where raised.
"""

from __future__ import annotations

__all__ = ["ArmError", "group_not_found", "resource_not_found"]


class ArmError(Exception):
    """An ARM error answer: HTTP ``status`` and the ``code``/``message`` of its body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, object]:
        return {"error": {"code": self.code, "message": self.message}}


def group_not_found(group: str) -> ArmError:
    """404 ``ResourceGroupNotFound`` (real ARM wording)."""
    return ArmError(404, "ResourceGroupNotFound", f"Resource group '{group}' could not be found.")


def resource_not_found(resource_type: str, name: str, group: str) -> ArmError:
    """404 ``ResourceNotFound`` (real ARM wording)."""
    return ArmError(
        404,
        "ResourceNotFound",
        f"The Resource '{resource_type}/{name}' under resource group '{group}' was not found. "
        "For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    )
