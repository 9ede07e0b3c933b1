"""``cloudneutral migrate`` against ``rclone copy`` on the same endpoints, same concurrency.

Workloads, each copied from a moto S3 server to a fresh local directory, then to a fresh
container of Azurite (Azure Blob Storage's emulator; skipped when it is not installed):
1,000 objects of 64 KiB, and one object of 256 MiB (written in 8 MiB parts, as most tools
write it). Each
contender runs in a child process of its own, interleaved (``--repeat`` times, medians):
``cloudneutral migrate`` as it comes (every file fsync-ed), the same with the local
target's ``durable=false`` (no fsync, as rclone writes), for the large object the same
with ``--read-size 0`` (one ranged read instead of four: moto answers every ranged read
with a pass over the whole object), and ``rclone copy``. Printed: wall
time, throughput, the child's CPU time and peak RSS (sampled ``VmHWM``; target < 150 MB),
and the throughput ratio to rclone (above 1: cloudneutral is faster; the target is 1.2).
Both verify what they copy: rclone by size and MD5 where S3 has one, cloudneutral by size,
MD5 / part MD5s / SHA-256, and the target's confirmations. On a small machine moto itself
(one Python process, a few ms per request) bounds both tools on the small objects.

Needs ``rclone`` (Debian's package), ``moto[server]`` and the AWS adapter, and for the
Azurite leg the Azure adapter and Azurite (``scripts/peers/azurite.sh``). Run:
``python bench/bench_migrate.py [--repeat 3] [--concurrency 8] [--quick]``. Nothing asserts.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final

KiB, MiB = 1024, 1024 * 1024
REGION: Final = "eu-west-1"
FAKE = {"AWS_ACCESS_KEY_ID": "AKIABENCHFAKE0000001", "AWS_SECRET_ACCESS_KEY": "bench-fake-secret"}


def peak_rss(pid: int) -> float | None:
    """The process's peak resident set so far (``VmHWM``), in MB; ``None`` once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB, sampled every 10 ms) of
    one child process; raises on failure."""
    started = time.perf_counter()
    before = os.times()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        peak = 0.0
        while child.poll() is None:
            peak = max(peak, peak_rss(child.pid) or 0.0)
            time.sleep(0.01)
        wall = time.perf_counter() - started
        after = os.times()
        if child.returncode != 0:
            errors.seek(0)
            raise RuntimeError(f"{argv[0]} failed ({child.returncode}): {errors.read().decode()[-2000:]}")
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return wall, cpu, peak


def populate(endpoint: str, small: int, large: bool) -> None:
    import boto3
    from boto3.s3.transfer import TransferConfig

    s3 = boto3.client(
        "s3",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id=FAKE["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE["AWS_SECRET_ACCESS_KEY"],
    )
    s3.create_bucket(Bucket="bench", CreateBucketConfiguration={"LocationConstraint": REGION})
    for n in range(small):
        s3.put_object(Bucket="bench", Key=f"small/{n:04d}", Body=os.urandom(64 * KiB))
    if large:
        with tempfile.TemporaryFile() as fh:
            for _ in range(256):
                fh.write(os.urandom(MiB))
            fh.seek(0)
            config = TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB)
            s3.upload_fileobj(fh, "bench", "large/one.bin", Config=config)


def rclone_config(path: Path, endpoint: str) -> None:
    path.write_text(
        "[moto]\ntype = s3\nprovider = Other\nenv_auth = false\n"
        f"access_key_id = {FAKE['AWS_ACCESS_KEY_ID']}\nsecret_access_key = {FAKE['AWS_SECRET_ACCESS_KEY']}\n"
        f"region = {REGION}\nendpoint = {endpoint}\nforce_path_style = true\n"
    )


def tools(prefix: str, endpoint: str, target: Path, config: Path, concurrency: int) -> dict[str, list[str]]:
    """The command line of each contender, copying ``bench/PREFIX`` on moto into ``target``."""
    src = f"aws://bench/{prefix}?region={REGION}&endpoint_url={endpoint}"
    dst = f"local://bench/{prefix}?root={target}"
    cloudneutral = [sys.executable, "-m", "cloudneutral", "migrate", "-q", "--concurrency", str(concurrency)]
    variants = {
        "cloudneutral": [*cloudneutral, src, dst],
        "cloudneutral durable=false": [*cloudneutral, src, f"{dst}&durable=false"],
    }
    if prefix == "large/":  # one ranged read per object instead of one per 8 parts
        variants["cloudneutral --read-size 0"] = [*cloudneutral, "--read-size", "0", src, dst]
    return {
        **variants,
        "rclone": [
            "rclone",
            "--config",
            str(config),
            "copy",
            f"moto:bench/{prefix}",
            str(target / prefix),
            "--transfers",
            str(concurrency),
            "--checkers",
            str(concurrency),
        ],
    }


def azure_tools(prefix: str, endpoint: str, run: str, config: Path, concurrency: int) -> dict[str, list[str]]:
    """The command line of each contender, copying ``bench/PREFIX`` on moto into a container
    of Azurite of its own, named after ``run`` (the connection string is in the environment)."""
    src = f"aws://bench/{prefix}?region={REGION}&endpoint_url={endpoint}"
    migrate = [sys.executable, "-m", "cloudneutral", "migrate", "-q", "--concurrency", str(concurrency)]
    parallel = ["--transfers", str(concurrency), "--checkers", str(concurrency)]
    into = f"{run}-{prefix.strip('/')}"
    return {
        "cloudneutral": [*migrate, src, f"azure://{into}-cn/{prefix}"],
        "rclone": [
            *["rclone", "--config", str(config), "copy", f"moto:bench/{prefix}"],
            *[f"azurite:{into}-rclone/{prefix}", *parallel],
        ],
    }


def azurite_config(path: Path, blob_endpoint: str) -> None:
    """rclone's remote ``azurite`` by an account SAS (its ``use_emulator`` is broken in
    Debian's 1.60; ../shared/PEERS.md)."""
    import datetime as dt

    from azure.storage.blob import AccountSasPermissions, ResourceTypes, generate_account_sas
    from cloudneutral_azure.testing.azurite import ACCOUNT_KEY, ACCOUNT_NAME

    sas = generate_account_sas(
        ACCOUNT_NAME,
        ACCOUNT_KEY,
        ResourceTypes(service=True, container=True, object=True),
        AccountSasPermissions(read=True, write=True, delete=True, list=True, add=True, create=True),
        expiry=dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=6),
    )
    with path.open("a") as fh:
        fh.write(f"\n[azurite]\ntype = azureblob\nsas_url = {blob_endpoint}?{sas}\n")


def compare(
    name: str,
    prefix: str,
    endpoint: str,
    work: Path,
    args: argparse.Namespace,
    total: int,
    azurite: str | None = None,
) -> None:
    """Run every contender ``args.repeat`` times, interleaved, and print their medians;
    into a local directory, or into Azurite when ``azurite`` (its blob endpoint) is given."""
    env = {**os.environ, **FAKE, "XDG_CACHE_HOME": str(work / "cache")}
    env.pop("AWS_CA_BUNDLE", None)  # rclone refuses to start with this machine's bundle set
    config = work / "rclone.conf"
    rclone_config(config, endpoint)
    if azurite is not None:
        from cloudneutral_azure.testing.azurite import connection_string

        azurite_config(config, azurite)
        env["AZURE_STORAGE_CONNECTION_STRING"] = connection_string(azurite)
    target = work / "dst"
    runs: dict[str, list[tuple[float, float, float]]] = {}
    for n in range(args.repeat):
        if azurite is None:
            contenders = tools(prefix, endpoint, target, config, args.concurrency)
        else:  # each contender writes a fresh container of its own
            contenders = azure_tools(prefix, endpoint, f"bench-{n}", config, args.concurrency)
        for tool, argv in contenders.items():
            shutil.rmtree(target, ignore_errors=True)
            shutil.rmtree(work / "cache", ignore_errors=True)
            runs.setdefault(tool, []).append(run(argv, env))
    rclone_wall = statistics.median(wall for wall, _, _ in runs["rclone"])
    print(f"{name}:")
    for tool, results in runs.items():
        wall = statistics.median(w for w, _, _ in results)
        cpu = statistics.median(c for _, c, _ in results)
        peak = max(p for _, _, p in results)
        ratio = (
            ""
            if tool == "rclone"
            else f"  throughput ratio to rclone {rclone_wall / wall:4.2f} (target >= 1.2)"
        )
        print(
            f"  {tool:27} {wall:6.2f} s {total / wall / MiB:7.1f} MiB/s  CPU {cpu:5.2f} s  "
            f"peak RSS {peak:6.1f} MB{'' if tool == 'rclone' else ratio}"
        )


def compile_packages() -> None:
    """Byte-compile the packages run from this checkout, as an installed package is (an
    editable install under ``PYTHONDONTWRITEBYTECODE`` would compile on every start)."""
    import cloudneutral_aws
    import cloudneutral_azure

    import cloudneutral

    for package in (cloudneutral, cloudneutral_aws, cloudneutral_azure):
        folder = str(Path(package.__file__).parent)  # type: ignore[arg-type]
        subprocess.run([sys.executable, "-m", "compileall", "-q", folder], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="100 small objects, no large one")
    args = parser.parse_args()
    if shutil.which("rclone") is None:
        print("rclone is not installed (apt-get install rclone)", file=sys.stderr)
        return 2
    from cloudneutral_aws.testing import MotoServer

    compile_packages()
    small = 100 if args.quick else 1000
    with tempfile.TemporaryDirectory(prefix="cn-bench-migrate-") as tmp, MotoServer() as moto:
        work = Path(tmp)
        os.environ.update(FAKE)
        populate(moto.endpoint, small, large=not args.quick)
        print(
            f"moto at {moto.endpoint}; {os.cpu_count()} CPUs; concurrency {args.concurrency}; "
            f"median of {args.repeat} interleaved runs"
        )
        compare(
            f"{small} x 64 KiB, moto -> local directory",
            "small/",
            moto.endpoint,
            work,
            args,
            small * 64 * KiB,
        )
        if not args.quick:
            compare("1 x 256 MiB, moto -> local directory", "large/", moto.endpoint, work, args, 256 * MiB)
        azurite = azurite_endpoint()
        if azurite is None:
            print("Azurite is not installed (scripts/peers/azurite.sh start installs it): no Azurite leg")
            return 0
        with azurite as blob_endpoint:
            compare(
                f"{small} x 64 KiB, moto -> Azurite",
                "small/",
                moto.endpoint,
                work,
                args,
                small * 64 * KiB,
                blob_endpoint,
            )
            if not args.quick:
                compare(
                    "1 x 256 MiB, moto -> Azurite",
                    "large/",
                    moto.endpoint,
                    work,
                    args,
                    256 * MiB,
                    blob_endpoint,
                )
    return 0


def azurite_endpoint() -> contextlib.AbstractContextManager[str] | None:
    """Azurite's blob endpoint for the run: ``CN_AZURE_BLOB_ENDPOINT``, else one started
    here; ``None`` when Azurite is not installed."""
    if os.environ.get("CN_AZURE_BLOB_ENDPOINT"):
        return contextlib.nullcontext(os.environ["CN_AZURE_BLOB_ENDPOINT"])
    from cloudneutral_azure.testing.azurite import Azurite, AzuriteNotFound, find_azurite

    try:
        find_azurite()
    except AzuriteNotFound:
        return None

    @contextlib.contextmanager
    def started() -> Iterator[str]:
        with Azurite() as azurite:
            yield azurite.blob_endpoint

    return started()


if __name__ == "__main__":
    sys.exit(main())
