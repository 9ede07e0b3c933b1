"""NAME servers and catalogues: a :class:`cloudneutral.driver.ServerDriver` (skeleton).

Declare ``Capability.SERVERS`` once the catalogue (sizes, images, regions) and create / get /
list / delete work; ``SERVER_STOP_START`` and ``SERVER_REBOOT`` for the power actions.
Return one :class:`~cloudneutral.models.Page` per call: the portable layer loops and waits.
"""

from __future__ import annotations

from collections.abc import Sequence

from cloudneutral.driver import ServerRequest
from cloudneutral.errors import Unsupported
from cloudneutral.models import Image, Page, Region, Server, Size

__all__ = ["NameServerDriver"]


def _todo(operation: str) -> Unsupported:
    return Unsupported(f"{operation} is not implemented yet", provider="NAME")


class NameServerDriver:
    """Servers of NAME. Method contracts: :class:`cloudneutral.driver.ServerDriver`."""

    def natives(self) -> Sequence[object]:
        return ()

    # -- Capability.SERVERS, in this order --------------------------------------------------
    def list_sizes(self, page_size: int, token: str | None) -> Page[Size]:
        raise _todo("list_sizes")

    def list_images(self, os: str | None, page_size: int, token: str | None) -> Page[Image]:
        raise _todo("list_images")

    def get_image(self, image_id: str) -> Image:
        raise _todo("get_image")

    def list_regions(self, page_size: int, token: str | None) -> Page[Region]:
        raise _todo("list_regions")

    def create_server(self, request: ServerRequest) -> Server:
        raise _todo("create_server")

    def get_server(self, server_id: str) -> Server:
        raise _todo("get_server")

    def list_servers(self, page_size: int, token: str | None) -> Page[Server]:
        raise _todo("list_servers")

    def delete_server(self, server_id: str) -> None:
        raise _todo("delete_server")

    # -- Capability.SERVER_STOP_START, SERVER_REBOOT ----------------------------------------
    def start_server(self, server_id: str) -> None:
        raise _todo("start_server")

    def stop_server(self, server_id: str) -> None:
        raise _todo("stop_server")

    def reboot_server(self, server_id: str) -> None:
        raise _todo("reboot_server")
