"""A Rackspace model whose every answer is a plan step over the kept real answers.

To make the rackspace conformance cassettes, the adapter is run against this model (the
capture, :mod:`raxcassette.capture`). The model listens on loopback, one port per real
Rackspace host (identity, Cloud Servers, Cloud Block Storage, Cloud Files in IAD), keeps
the state of one test (servers, volumes, snapshots, containers, objects), and answers each
request with a :class:`~raxcassette.plans.PlanStep`: the **closest kept real answer**
(the fog login, pkgcloud and php-opencloud bodies) with edits that make it say what this
test's state is (ids, names, statuses, sizes), or, where nothing real was kept (every
write of Cloud Files, reboot, deletes, attachments, snapshots, error bodies), a
:class:`~raxcassette.assemble.Synthesized` answer with its basis. What it serves is
exactly what the assembler will put in the cassette (``preview`` of the step), with the
real host names swapped for the loopback ports, so the adapter's requests during the
capture are the requests it will send in replay.

The URLs recorded in the steps are the real ones (``https://iad.servers.api...``). Ids
are derived from the test's key (``uuid5``), the first server and volume of a test keep
the real ids of the kept bodies, and state moves one step per observation (a new server
is ``BUILD`` once, then ``ACTIVE``), so a capture is deterministic.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from cloudneutral.conformance.scrub import scrub_text

from . import rackspace as rax
from .assemble import Synthesized, preview
from .edits import JsonSet, Replace, SetBody
from .plans import PlanStep, Ref

__all__ = ["HOSTS", "Exchange", "Model", "World", "http_date", "synth"]

PKG = "pkgcloud/test/fixtures/rackspace"
PHP = "php-opencloud/tests/OpenCloud/Tests"
TENANT = rax.TENANT
_LOGIN = rax.login()
#: The real hosts a capture serves, from the kept login's IAD catalogue.
HOSTS = {
    "identity": "identity.api.rackspacecloud.com",
    "compute": rax.endpoint(_LOGIN, "compute", "IAD", name="cloudServersOpenStack").split("/")[2],
    "volume": rax.endpoint(_LOGIN, "volume", "IAD").split("/")[2],
    "files": rax.endpoint(_LOGIN, "object-store", "IAD").split("/")[2],
}
JSON_HEADERS = (("Content-Type", "application/json"),)


def synth(
    status: int,
    body: bytes | str | dict[str, Any] | list[Any],
    basis: str,
    reason: str = "",
    headers: tuple[tuple[str, str], ...] = JSON_HEADERS,
) -> Synthesized:
    """A synthesized answer (``basis`` says what its shape rests on)."""
    return Synthesized(status, body, basis, reason, headers)


def nova_fault(code: int, name: str, message: str) -> Synthesized:
    """A Nova v2 fault body (``{"itemNotFound": {"message", "code"}}``)."""
    return synth(
        code, {name: {"message": message, "code": code}}, f"Nova/Cinder v2 fault body ({name}), API reference"
    )


@dataclass
class Exchange:
    """One request as the adapter sent it (``path`` and ``query`` raw, as on the wire)."""

    method: str
    host: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    @property
    def url(self) -> str:
        return f"https://{self.host}{self.path}" + (f"?{self.query}" if self.query else "")

    def json(self) -> Any:
        return json.loads(self.body) if self.body else {}

    def params(self) -> dict[str, str]:
        pairs = (p.partition("=") for p in self.query.split("&") if p)
        return {unquote(k.replace("+", " ")): unquote(v.replace("+", " ")) for k, _, v in pairs}

    def step(self, response: Ref | Synthesized, *edits: Any, note: str = "") -> PlanStep:
        """The plan step answering this request, with the body the SDK sent (text when it
        is UTF-8, else the bytes; JSON with its keys sorted: openstacksdk orders them by a
        set, differently in each process, and replay compares JSON regardless of order)."""
        sent: str | bytes = self.body
        with contextlib.suppress(UnicodeDecodeError):
            sent = scrub_text(_sorted_json(self.body.decode("utf-8")))  # the API key, in plans too
        shown = tuple(
            (k, v)
            for k, v in self.headers.items()
            if k.lower() == "content-type" or k.lower().startswith("x-object-meta-")
        )
        return PlanStep(self.method, self.url, response, tuple(edits), sent, shown, note)


def _sorted_json(text: str) -> str:
    """``text`` with its keys sorted when it is a JSON object, else as it is."""
    if not text.startswith("{"):
        return text
    try:
        return json.dumps(json.loads(text), sort_keys=True)
    except ValueError:
        return text


@dataclass
class World:
    """The state of one test, and deterministic ids for it."""

    key: str = ""
    day: str = "Mon, 23 Nov 2026 00:00:00 GMT"
    counters: dict[str, int] = field(default_factory=dict)
    servers: dict[str, dict[str, Any]] = field(default_factory=dict)
    volumes: dict[str, dict[str, Any]] = field(default_factory=dict)
    snapshots: dict[str, dict[str, Any]] = field(default_factory=dict)
    containers: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def new_id(self, kind: str, real: str | None = None) -> str:
        """The id of the next ``kind``: ``real`` (a kept body's id) for the first one."""
        n = self.counters.get(kind, 0)
        self.counters[kind] = n + 1
        if n == 0 and real:
            return real
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"cn-rackspace-capture/{self.key}/{kind}/{n}"))

    def written(self) -> dt.datetime:
        """When the next write of Cloud Files happens: ``day`` plus one second per write of
        this test. Synthesized (no kept answer shows a write): a clock of the model, so an
        overwrite is newer, as on Swift, and a capture stays reproducible."""
        n = self.counters.get("write", 0)
        self.counters["write"] = n + 1
        return email.utils.parsedate_to_datetime(self.day) + dt.timedelta(seconds=n)


def http_date(when: dt.datetime) -> str:
    """``when`` as an HTTP date (``Mon, 23 Nov 2026 00:00:01 GMT``)."""
    return email.utils.format_datetime(when.astimezone(dt.timezone.utc), usegmt=True)


REAL_SERVER = "a0a5f183-b94e-4a41-a854-00aa00aa00aa"
REAL_SERVER_IMAGE = "9922a7c7-5a42-4a56-bc6a-93f857ae2346"
REAL_IMAGE = "df27d481-63a5-40ca-8920-3d132ed643d9"
IMAGE_RESP = Ref("raw", f"{PHP}/Compute/_response/Image.resp")
_MISSING = "Nova v2 itemNotFound (API reference); no 404 of Rackspace's Nova is kept"


def _flavors() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = Ref("json", f"{PKG}/flavors.json").load().json()["flavors"]
    return found


class Compute:
    """Cloud Servers (Nova v2, no microversions) of one test."""

    def __init__(self, world: World) -> None:
        self.w = world

    def handle(self, ex: Exchange) -> PlanStep:
        base = f"/v2/{TENANT}"
        if ex.path == "/v2":
            return ex.step(Ref("json", rax.NOVA_VERSION), note="keystoneauth version discovery (compute)")
        if not ex.path.startswith(base):
            return ex.step(nova_fault(404, "itemNotFound", "Not found."))
        parts = ex.path[len(base) :].strip("/").split("/")
        handler = self._route(ex.method, parts)
        return handler(ex, parts)

    def _route(self, method: str, parts: list[str]) -> Callable[[Exchange, list[str]], PlanStep]:
        head = parts[0]
        if head == "flavors":
            return self._flavor_list if parts[1:] == ["detail"] else self._flavor
        if head == "images":
            return self._image_list if parts[1:] == ["detail"] else self._image
        if head == "servers" and method == "POST" and len(parts) == 1:
            return self._create
        if head == "servers" and parts[1:] == ["detail"]:
            return self._server_list
        if head == "servers" and len(parts) == 3 and parts[2] == "action":
            return self._action
        if head == "servers" and len(parts) >= 3 and parts[2] == "os-volume_attachments":
            if method == "GET" and len(parts) == 3:
                return self._attachments
            return self._attach if method == "POST" else self._detach
        if head == "servers" and method == "DELETE":
            return self._delete
        return self._server

    # -- catalogue ------------------------------------------------------------------------
    def _flavor_list(self, ex: Exchange, parts: list[str]) -> PlanStep:
        if "marker" in ex.params():
            return ex.step(
                Ref("json", f"{PKG}/flavors.json"), SetBody(b'{"flavors": []}', "page after the last")
            )
        return ex.step(Ref("json", f"{PKG}/flavors.json"))

    def _flavor(self, ex: Exchange, parts: list[str]) -> PlanStep:
        wanted = [f for f in _flavors() if f["id"] == parts[1]]
        if not wanted:
            return ex.step(nova_fault(404, "itemNotFound", "The resource could not be found."))
        source = Ref("raw", f"{PHP}/Compute/_response/Flavor.resp")
        if parts[1] == "2":
            return ex.step(source, note="recorded in ORD (links name ord and account 848195)")
        flavor = wanted[0]
        edits = [JsonSet(f"/flavor/{k}", flavor[k]) for k in ("name", "ram", "vcpus", "swap", "disk", "id")]
        return ex.step(source, *edits, note=f"fields of flavor {parts[1]} from pkgcloud flavors.json")

    def _image_list(self, ex: Exchange, parts: list[str]) -> PlanStep:
        if "marker" in ex.params():
            return ex.step(IMAGE_RESP, SetBody(b'{"images": []}', "page after the last"))
        image = IMAGE_RESP.load().json()["image"]
        body = json.dumps({"images": [image]}).encode()
        why = "no real /images/detail is kept: the real detailed image of Image.resp as a one-item list"
        return ex.step(
            IMAGE_RESP, SetBody(body, why), note="recorded in ORD (links name ord and account 848195)"
        )

    def _image(self, ex: Exchange, parts: list[str]) -> PlanStep:
        if parts[1] == REAL_IMAGE:
            return ex.step(IMAGE_RESP, note="recorded in ORD (links name ord and account 848195)")
        return ex.step(nova_fault(404, "itemNotFound", "Image not found."), note=_MISSING)

    # -- servers ----------------------------------------------------------------------------
    def _body_edits(self, sid: str, server: dict[str, Any]) -> list[Any]:
        edits: list[Any] = []
        if sid != REAL_SERVER:
            edits.append(Replace(REAL_SERVER, sid))
        edits += [JsonSet("/server/name", server["name"]), JsonSet("/server/metadata", server["metadata"])]
        if server["image"] != REAL_SERVER_IMAGE:
            edits.append(Replace(REAL_SERVER_IMAGE, server["image"]))
        if server["flavor"] != "2":
            edits.append(JsonSet("/server/flavor/id", server["flavor"]))
        return edits + self._status_edits(server)

    @staticmethod
    def _status_edits(server: dict[str, Any]) -> list[Any]:
        pending = server.get("pending")
        if pending == "build":
            return [
                JsonSet("/server/status", "BUILD"),
                JsonSet("/server/OS-EXT-STS:vm_state", "building"),
                JsonSet("/server/OS-EXT-STS:task_state", "spawning"),
                JsonSet("/server/progress", 0),
                JsonSet("/server/OS-EXT-STS:power_state", 0),
            ]
        if pending == "reboot":
            return [
                JsonSet("/server/status", "REBOOT"),
                JsonSet("/server/OS-EXT-STS:task_state", "rebooting"),
            ]
        return []

    def _create(self, ex: Exchange, parts: list[str]) -> PlanStep:
        request = ex.json()["server"]
        sid = self.w.new_id("server", REAL_SERVER)
        self.w.servers[sid] = {
            "name": request["name"],
            "image": request["imageRef"],
            "flavor": str(request["flavorRef"]),
            "metadata": request.get("metadata") or {},
            "pending": "build",
        }
        source = Ref("json", f"{PKG}/createdServer.json", status=202, reason="Accepted")
        return ex.step(source, *([Replace(REAL_SERVER, sid)] if sid != REAL_SERVER else []))

    def _server(self, ex: Exchange, parts: list[str]) -> PlanStep:
        sid = parts[1] if len(parts) > 1 else ""
        server = self.w.servers.get(sid)
        if server is None or server.get("deleted"):
            return ex.step(nova_fault(404, "itemNotFound", "Instance could not be found"), note=_MISSING)
        step = ex.step(Ref("json", f"{PKG}/{REAL_SERVER}.json"), *self._body_edits(sid, server))
        server.pop("pending", None)  # the next observation finds it done
        return step

    def _server_list(self, ex: Exchange, parts: list[str]) -> PlanStep:
        params = ex.params()
        live = [sid for sid, s in reversed(self.w.servers.items()) if not s.get("deleted")]  # newest first
        if "marker" in params and params["marker"] in live:
            live = live[live.index(params["marker"]) + 1 :]
        live = live[: int(params.get("limit", "1000"))]
        real = Ref("json", f"{PKG}/{REAL_SERVER}.json").load().json()["server"]
        items = [self._listed(real, sid, self.w.servers[sid]) for sid in live]
        why = (
            f"the servers of this test ({len(items)}), each the real body of pkgcloud {REAL_SERVER}.json "
            "with id, name, metadata, image and status as in this cassette's GETs"
        )
        return ex.step(
            Ref("json", f"{PKG}/servers.json"), SetBody(json.dumps({"servers": items}).encode(), why)
        )

    def _listed(self, real: dict[str, Any], sid: str, server: dict[str, Any]) -> dict[str, Any]:
        text = json.dumps(real).replace(REAL_SERVER, sid).replace(REAL_SERVER_IMAGE, server["image"])
        item: dict[str, Any] = json.loads(text)
        item.update(name=server["name"], metadata=server["metadata"])
        item["flavor"]["id"] = server["flavor"]
        if server.get("pending") == "build":
            item.update({"status": "BUILD", "OS-EXT-STS:task_state": "spawning", "progress": 0})
        return item

    def _action(self, ex: Exchange, parts: list[str]) -> PlanStep:
        server = self.w.servers.get(parts[1])
        if server is None or server.get("deleted"):
            return ex.step(nova_fault(404, "itemNotFound", "Instance could not be found"), note=_MISSING)
        if "reboot" in ex.json():
            server["pending"] = "reboot"
        empty = synth(
            202,
            b"",
            "Nova v2 server action: 202 Accepted, empty body",
            "Accepted",
            (("Content-Length", "0"),),
        )
        return ex.step(empty)

    def _delete(self, ex: Exchange, parts: list[str]) -> PlanStep:
        server = self.w.servers.get(parts[1])
        if server is None or server.get("deleted"):
            return ex.step(nova_fault(404, "itemNotFound", "Instance could not be found"), note=_MISSING)
        server["deleted"] = True
        for volume in self.w.volumes.values():  # Nova detaches a deleted server's volumes
            volume["attachments"] = [a for a in volume["attachments"] if a["server_id"] != parts[1]]
            if not volume["attachments"] and volume["status"] == "in-use":
                volume["status"] = "available"
        return ex.step(synth(204, b"", "Nova v2 DELETE /servers/{id}: 204 No Content", "No Content", ()))

    def _attach(self, ex: Exchange, parts: list[str]) -> PlanStep:
        sid = parts[1]
        vid = ex.json()["volumeAttachment"]["volumeId"]
        server, volume = self.w.servers.get(sid), self.w.volumes.get(vid)
        if server is None or server.get("deleted"):
            return ex.step(
                nova_fault(404, "itemNotFound", f"Instance {sid} could not be found."), note=_MISSING
            )
        if volume is None:
            return ex.step(
                nova_fault(404, "itemNotFound", f"Volume {vid} could not be found."), note=_MISSING
            )
        if volume["attachments"]:
            message = f"Invalid volume: volume {vid} is already attached to instances: {sid}"
            return ex.step(nova_fault(400, "badRequest", message))
        device = ex.json()["volumeAttachment"].get("device") or self._free_device(sid)
        volume["attachments"] = [{"device": device, "server_id": sid, "id": vid, "volume_id": vid}]
        volume["status"], volume["pending"] = "in-use", "attaching"
        body = {"volumeAttachment": _attachment(volume["attachments"][0])}
        basis = (
            "os-volumes extension (listed in the real Extensions.resp); Rackspace docs show xvd* device "
            "names, Nova gives the next free one; body shape of the Nova v2 os-volume_attachments reference"
        )
        return ex.step(synth(200, body, basis, "OK"))

    def _attached(self, sid: str) -> list[dict[str, Any]]:
        """The attachments of server ``sid``, in the order they were made."""
        return [a for v in self.w.volumes.values() for a in v["attachments"] if a["server_id"] == sid]

    def _free_device(self, sid: str) -> str:
        """The first ``/dev/xvd?`` from ``xvdb`` no volume of ``sid`` uses (``xvda`` is the
        system disk), as Nova picks the next free device name."""
        used = {a["device"] for a in self._attached(sid)}
        return next(f"/dev/xvd{c}" for c in "bcdefghijklmnopqrstuvwxyz" if f"/dev/xvd{c}" not in used)

    def _attachments(self, ex: Exchange, parts: list[str]) -> PlanStep:
        sid = parts[1]
        server = self.w.servers.get(sid)
        if server is None or server.get("deleted"):
            return ex.step(nova_fault(404, "itemNotFound", "Instance could not be found"), note=_MISSING)
        body = {"volumeAttachments": [_attachment(a) for a in self._attached(sid)]}
        basis = (
            "os-volumes extension (listed in the real Extensions.resp; the real server bodies carry no "
            "os-extended-volumes:volumes_attached): GET os-volume_attachments of the Nova v2 reference"
        )
        return ex.step(synth(200, body, basis, "OK"))

    def _detach(self, ex: Exchange, parts: list[str]) -> PlanStep:
        sid, vid = parts[1], parts[3] if len(parts) > 3 else ""
        volume = self.w.volumes.get(vid)
        if volume is None or not any(a["server_id"] == sid for a in volume["attachments"]):
            message = f"Instance {sid} is not attached to volume {vid}"
            return ex.step(nova_fault(404, "itemNotFound", message), note=_MISSING)
        volume["attachments"], volume["status"], volume["pending"] = [], "available", "detaching"
        return ex.step(synth(202, b"", "Nova v2 DELETE os-volume_attachments: 202 Accepted", "Accepted", ()))


def _attachment(kept: dict[str, Any]) -> dict[str, Any]:
    """A Nova ``volumeAttachment`` of an attachment the model keeps on its volume."""
    return {
        "device": kept["device"],
        "serverId": kept["server_id"],
        "id": kept["volume_id"],
        "volumeId": kept["volume_id"],
    }


class Model:
    """The whole model: one :class:`World` per test, a service per real host."""

    def __init__(self, day: str = "Mon, 23 Nov 2026 00:00:00 GMT") -> None:
        from .model_storage import BlockStorage, Files

        self.world = World(day=day)
        self._lock = threading.Lock()
        self.steps: list[PlanStep] = []
        self.compute = Compute(self.world)
        self.volume = BlockStorage(self.world)
        self.files = Files(self.world)
        self.ports: dict[str, int] = {}
        self._servers: list[ThreadingHTTPServer] = []

    def begin(self, key: str, day: str | None = None) -> None:
        """Forget every state: a new test (ids derive from ``key``)."""
        with self._lock:
            fresh = World(key=key, day=day or self.world.day)
            self.world.__dict__.update(fresh.__dict__)
            self.steps = []

    def end(self) -> list[PlanStep]:
        """The steps of the test begun last."""
        with self._lock:
            steps, self.steps = self.steps, []
            return steps

    def answer(self, ex: Exchange) -> PlanStep:
        with self._lock:
            if ex.host == HOSTS["identity"]:
                step = ex.step(Ref("fog", rax.FOG_LOGIN, 0), *_LOGIN.edits, note=_LOGIN.note)
            elif ex.host == HOSTS["compute"]:
                step = self.compute.handle(ex)
            elif ex.host == HOSTS["volume"]:
                step = self.volume.handle(ex)
            else:
                step = self.files.handle(ex)
            self.steps.append(step)
            return step

    # -- serving ------------------------------------------------------------------------
    def local(self, host: str) -> str:
        return f"http://127.0.0.1:{self.ports[host]}"

    def rewrite(self, data: bytes) -> bytes:
        """Real host URLs -> the loopback ports serving them."""
        for host in self.ports:
            local = self.local(host)
            data = data.replace(f"https://{host}".encode(), local.encode())
            data = data.replace(f"https:\\/\\/{host}".encode(), local.replace("/", "\\/").encode())
        return data

    def start(self) -> str:
        """Listen on a loopback port per host; return the identity URL to log in at."""
        for host in HOSTS.values():
            server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self, host))
            server.daemon_threads = True
            self.ports[host] = server.server_address[1]
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._servers.append(server)
        return self.local(HOSTS["identity"]) + "/v2.0/"

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []


def _handler(model: Model, host: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path, _, query = self.path.partition("?")
            ex = Exchange(self.command, host, path, query, dict(self.headers.items()), body)
            draft = preview(model.answer(ex).step())
            payload = model.rewrite(draft.body)
            self.send_response(draft.status, draft.reason or None)
            for name, value in draft.headers:
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            declared = draft.header("Content-Length")
            sent = declared if self.command == "HEAD" and declared else str(len(payload))
            self.send_header("Content-Length", sent)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _serve

    return Handler
