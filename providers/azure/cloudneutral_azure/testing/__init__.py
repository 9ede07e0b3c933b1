"""Test tooling for the Azure adapter (not product code).

``replay``     replay real recorded ARM traffic through today's SDKs (matcher, header
               stripping, fake credential, client factory); imports vcrpy lazily
``scrub``      scrubbing rules for ARM recordings (tenant/object ids, signed operation URLs)
``azurite``    start/stop an Azurite blob emulator on a free loopback port
``arm_peer``   a small stateful ARM endpoint on loopback (stdlib http.server)
``clients``    azure-mgmt-* clients configured for the ARM peer (plain http, fake token)

Nothing here imports an Azure SDK at import time of this package.
"""
