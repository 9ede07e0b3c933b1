"""Remake ``cassettes/azure/real/`` from the published source distributions (see PROVENANCE.md).

    python scripts/azure_real_cassettes.py SDIST_DIR

SDIST_DIR holds ``azure-mgmt-compute-23.1.0.zip``, ``azure-mgmt-compute-17.0.0.zip`` and
``azure-mgmt-resource-10.0.0.zip`` (``pip download --no-deps --no-binary :all:
azure-mgmt-compute==23.1.0`` etc.). Each recording is read from its archive, scrubbed with
:func:`cloudneutral_azure.testing.scrub.scrub_arm_text` and written; the sha256 of the
archive, of the original text and of the result are printed for PROVENANCE.md. The azure-cli
excerpt is not made here (no published archive holds it; see PROVENANCE.md).
"""

from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

from cloudneutral_azure.testing.scrub import scrub_arm_text

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "cassettes" / "azure" / "real"
SOURCES = {
    "azure-mgmt-compute-23.1.0.zip": [
        "test_mgmt_compute_vm.test_compute_vm.yaml",
        "test_mgmt_compute_vm.test_compute_vm_image.yaml",
        "test_mgmt_compute_disks.test_compute_disks.yaml",
        "test_mgmt_compute_disks.test_compute_shot.yaml",
    ],
    "azure-mgmt-compute-17.0.0.zip": ["test_mgmt_compute_base_async.test_compute_vm.yaml"],
    "azure-mgmt-resource-10.0.0.zip": ["test_mgmt_resource.test_resource_groups.yaml"],
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(sdist_dir: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for archive, names in SOURCES.items():
        path = sdist_dir / archive
        print(f"{archive}  sha256 {sha256(path.read_bytes())}")
        with zipfile.ZipFile(path) as zf:
            for name in names:
                member = f"{archive.removesuffix('.zip')}/tests/recordings/{name}"
                original = zf.read(member)
                scrubbed = scrub_arm_text(original.decode("utf-8")).encode("utf-8")
                (OUT / name).write_bytes(scrubbed)
                print(f"  {member}\n    original {sha256(original)}\n    scrubbed {sha256(scrubbed)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
