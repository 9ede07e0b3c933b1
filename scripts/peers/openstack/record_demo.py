"""Record a few openstacksdk calls against the peer with vcrpy and show what replay needs.

Evidence for the "Recording hygiene" part of ADAPTER-NOTES.md. Writes only under
``.peers/openstack/cassettes/`` (never commit those files: the raw ones hold tokens):

1. ``raw-1.yaml`` and ``raw-2.yaml``: the same calls recorded twice without scrubbing; prints
   every header and body field that carries a credential and the ids that differ per run.
2. ``scrubbed.yaml``: ``raw-1`` passed through cloudneutral's generic scrubber
   (:mod:`cloudneutral.conformance.scrub`); prints what :func:`find_secrets` still finds
   and what the generic rules miss.
3. Replays ``scrubbed.yaml`` (vcrpy record mode ``none``), then again with the token's
   ``expires_at`` moved into the past, to show why a harness must pin it in the future.
4. Uploads a 3-segment object with ``create_object(segment_size=...)`` while recording, with
   the SDK's default thread pool and with one worker (passed the way that works, and not).

Usage: ``eval "$(scripts/peers/openstack.sh env)"; .venv/bin/python scripts/peers/openstack/record_demo.py``
"""

from __future__ import annotations

import concurrent.futures
import json
import re
import sys
from pathlib import Path
from typing import Any

import openstack
import openstack.config
import openstack.connection
import openstack.version
import vcr  # type: ignore[import-untyped]
import yaml

from cloudneutral.conformance.scrub import find_secrets, scrub_request, scrub_response

OUT = Path(__file__).resolve().parents[3] / ".peers" / "openstack" / "cassettes"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}")
MATCH_ON = ("method", "scheme", "host", "port", "path", "query")


def calls(pool: concurrent.futures.Executor | None = None) -> None:
    """The recorded scenario: a volume's life, a server create, a Swift object."""
    conn: Any = openstack.connect(cloud="cn-demo", pool_executor=pool)
    flavor = next(f for f in conn.compute.flavors() if f.name == "m1.tiny")
    image = next(i for i in conn.image.images() if i.os_distro == "ubuntu")
    server = conn.compute.create_server(
        name="cn-rec", image_id=image.id, flavor_id=flavor.id, networks="none"
    )
    volume = conn.block_storage.create_volume(size=1, name="cn-rec-vol")
    conn.block_storage.wait_for_status(volume, "available", wait=60, interval=0.5)
    conn.block_storage.delete_volume(volume)
    conn.compute.wait_for_server(server, wait=60, interval=0.5)
    conn.compute.delete_server(server)
    conn.object_store.create_container(name="cn-rec")
    conn.object_store.upload_object(
        container="cn-rec", name="o", data=b"hello", **{"Content-Type": "text/plain"}
    )
    assert conn.object_store.download_object("o", container="cn-rec") == b"hello"
    conn.object_store.delete_object("o", container="cn-rec")
    conn.object_store.delete_container("cn-rec")
    conn.block_storage.wait_for_delete(volume, wait=60, interval=0.5)
    conn.compute.wait_for_delete(server, wait=60, interval=0.5)
    conn.close()


def record(path: Path, scenario: Any, **options: Any) -> dict[str, Any]:
    path.unlink(missing_ok=True)
    recorder = vcr.VCR(record_mode="all", match_on=MATCH_ON, decode_compressed_response=True, **options)
    with recorder.use_cassette(str(path)):
        scenario()
    # yaml.Loader: vcrpy writes file-like request bodies (the SDK's segments) as Python objects
    return yaml.load(path.read_text(), Loader=yaml.Loader)  # type: ignore[no-any-return]


def credentials(tape: dict[str, Any]) -> list[str]:
    """Every place of a raw cassette that holds a credential."""
    found: list[str] = []
    for n, item in enumerate(tape["interactions"]):
        req, resp = item["request"], item["response"]
        where = f"#{n} {req['method']} {req['uri'].split('127.0.0.1')[-1][:60]}"
        for name in req["headers"]:
            if name.lower() in ("x-auth-token", "x-service-token", "x-subject-token", "authorization"):
                found.append(f"{where}: request header {name}")
        for name in resp["headers"]:
            if name.lower() in ("x-auth-token", "x-service-token", "x-subject-token", "set-cookie"):
                found.append(f"{where}: response header {name}")
        body = req.get("body") or ""
        body = body.decode() if isinstance(body, bytes) else str(body)
        if '"password"' in body:
            masked = re.sub(r'("password": ")[^"]*', r"\1***", body)
            found.append(f"{where}: request body {masked[:200]}")
        text = resp["body"].get("string") or ""
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        for key in ("adminPass", "password", "secret"):
            if f'"{key}"' in text:
                found.append(f"{where}: response body has {key!r}")
    return found


def scrubbed_copy(raw: Path, target: Path) -> str:
    """Apply the project's generic scrubber the way the conformance recorder does."""
    import vcr.request  # type: ignore[import-untyped]

    tape = yaml.safe_load(raw.read_text())
    for item in tape["interactions"]:
        req = item["request"]
        request = vcr.request.Request(req["method"], req["uri"], req["body"], req["headers"])
        clean = scrub_request(request)
        req["headers"] = {k: v for k, v in clean.headers.items()}
        req["headers"] = {k: v if isinstance(v, list) else [v] for k, v in req["headers"].items()}
        req["body"] = clean.body
        item["response"] = scrub_response(item["response"])
    text: str = yaml.safe_dump(tape, allow_unicode=True)
    target.write_text(text)
    return text


def replay(path: Path) -> str:
    try:
        with vcr.VCR(record_mode="none", match_on=MATCH_ON).use_cassette(
            str(path), allow_playback_repeats=False
        ):
            calls()
        return "replayed OK"
    except Exception as error:
        return f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"openstacksdk {openstack.version.__version__}, vcrpy {vcr.__version__}; cassettes in {OUT}")
    tapes = [record(OUT / f"raw-{n}.yaml", calls) for n in (1, 2)]
    print(f"\n## 1. raw cassette: {len(tapes[0]['interactions'])} interactions")
    for item in tapes[0]["interactions"]:
        req = item["request"]
        print(
            f"    {req['method']} {req['uri'].split('127.0.0.1')[-1]} -> {item['response']['status']['code']}"
        )
    print("\n## credentials in the raw cassette")
    for line in sorted(set(re.sub(r"#\d+ ", "", x) for x in credentials(tapes[0]))):
        print(f"  - {line}")
    ids = [set(UUID.findall(yaml.safe_dump(t))) for t in tapes]
    print(
        f"\n## ids: {len(ids[0])} distinct UUIDs/hex ids in run 1, {len(ids[1])} in run 2, "
        f"{len(ids[0] & ids[1])} shared (project/user/image/flavor ids; everything created is new)"
    )
    print(f"  shared: {sorted(ids[0] & ids[1])}")
    urls = [[i["request"]["uri"] for i in t["interactions"]] for t in tapes]
    differing = sum(a != b for a, b in zip(urls[0], urls[1], strict=False))
    print(
        f"  request URLs differing between the two runs: {differing} of {len(urls[0])} "
        f"(run lengths {len(urls[0])} and {len(urls[1])})"
    )

    print("\n## 2. after cloudneutral.conformance.scrub (generic rules)")
    text = scrubbed_copy(OUT / "raw-1.yaml", OUT / "scrubbed.yaml")
    print(f"  find_secrets: {find_secrets(text) or 'nothing'}")
    clean = yaml.load(text, Loader=yaml.Loader)
    auth = next(i for i in clean["interactions"] if i["request"]["uri"].endswith("/v3/auth/tokens"))
    body = auth["request"]["body"]
    print(
        f"  POST /v3/auth/tokens body now ({type(body).__name__}, so YAML !!binary): "
        f"{body.decode() if isinstance(body, bytes) else body}"
    )
    print(f"  X-Subject-Token now: {auth['response']['headers'].get('X-Subject-Token')}")
    left = [
        line.strip()
        for line in text.splitlines()
        if re.search(r"adminPass|X-Service-Token|User-Agent|expires_at|audit_ids", line)
    ]
    for line in sorted(set(left))[:12]:
        print(f"  still there: {line[:150]}")

    print("\n## 3. replay of scrubbed.yaml")
    print(f"  as recorded: {replay(OUT / 'scrubbed.yaml')}")
    token = json.loads(auth["response"]["body"]["string"])
    token["token"]["expires_at"] = "2000-01-01T00:00:00.000000Z"
    auth["response"]["body"]["string"] = json.dumps(token)
    (OUT / "expired.yaml").write_text(yaml.dump(clean, Dumper=yaml.Dumper))
    print(f"  token expires_at in the past: {replay(OUT / 'expired.yaml')}")

    print("\n## 4. large object segments recorded from the SDK's thread pool")
    source = OUT / "segments.bin"
    source.write_bytes(b"s" * 3000)

    def large(make: Any) -> None:
        conn = make()
        conn.object_store.create_container(name="cn-rec-slo")
        conn.object_store.create_object("cn-rec-slo", "big", filename=str(source), segment_size=1000)
        conn.object_store.delete("/cn-rec-slo/big", params={"multipart-manifest": "delete"})
        conn.object_store.delete_container("cn-rec-slo")

    def one_worker() -> Any:
        # The knob: Connection(pool_executor=...). openstack.connect(pool_executor=...) puts it
        # into the cloud config instead, where nothing reads it.
        region = openstack.config.get_cloud_region(cloud="cn-demo")
        return openstack.connection.Connection(
            config=region, pool_executor=concurrent.futures.ThreadPoolExecutor(max_workers=1)
        )

    variants = [
        (
            "openstack.connect(cloud) (default: ThreadPoolExecutor(max_workers=5))",
            lambda: openstack.connect(cloud="cn-demo"),
        ),
        (
            "openstack.connect(cloud, pool_executor=ThreadPoolExecutor(1)) (silently ignored)",
            lambda: openstack.connect(
                cloud="cn-demo", pool_executor=concurrent.futures.ThreadPoolExecutor(1)
            ),
        ),
        ("Connection(config=get_cloud_region(cloud), pool_executor=ThreadPoolExecutor(1))", one_worker),
    ]
    for label, make in variants:
        counts = []
        for attempt in range(5):
            tape = record(OUT / f"segments-{attempt}.yaml", lambda m=make: large(m))
            counts.append(
                sum(
                    1
                    for i in tape["interactions"]
                    if i["request"]["method"] == "PUT" and re.search(r"/big/\d+$", i["request"]["uri"])
                )
            )
        print(f"  {label}: segment PUTs kept in 5 recordings of 3 each: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
