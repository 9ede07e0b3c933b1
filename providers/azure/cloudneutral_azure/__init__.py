"""The Azure adapter of cloudneutral (not written yet).

It will translate the portable API to Blob Storage (azure-storage-blob) and to ARM virtual
machines, managed disks and snapshots (azure-mgmt-compute, with azure-mgmt-network and
azure-mgmt-resource only where a VM needs them). Until then this package holds only
:mod:`cloudneutral_azure.testing`: the tooling its tests stand on (real recorded ARM traffic
replay helpers, an Azurite launcher and a stateful ARM test peer). No entry point is
registered yet.
"""
