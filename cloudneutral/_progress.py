"""A dependency-free progress line for long CLI work (bytes, objects, rate) on a terminal.

:class:`Progress` redraws one line of ``stream`` (stderr) at most every ``interval``
seconds, and only when enabled (the CLI enables it when stderr is a TTY and ``--quiet``
is not given). It is thread-safe: transfer workers report to it concurrently. Messages
printed through :meth:`Progress.message` clear the line first, so they never interleave
with it. When disabled, every method is a no-op apart from :meth:`message`.
"""

from __future__ import annotations

import threading
import time
from typing import TextIO

__all__ = ["Progress", "human_bytes"]

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def human_bytes(n: float) -> str:
    """``n`` bytes as ``512 B``, ``1.5 MiB`` ..."""
    value = float(n)
    for unit in _UNITS:
        if abs(value) < 1024 or unit == _UNITS[-1]:
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


class Progress:
    """Counts bytes and objects and shows them, with the rate, on one redrawn line."""

    def __init__(
        self,
        stream: TextIO,
        *,
        enabled: bool,
        total_bytes: int | None = None,
        interval: float = 0.2,
        label: str = "cloudneutral",
    ) -> None:
        self.stream = stream
        self.enabled = enabled
        self.total_bytes = total_bytes
        self.interval = interval
        self.label = label
        self.bytes = 0
        self.objects = 0
        self._started = time.monotonic()
        self._drawn_at = 0.0
        self._width = 0
        self._lock = threading.Lock()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def add(self, nbytes: int = 0, objects: int = 0) -> None:
        """Count ``nbytes`` more bytes and ``objects`` more finished objects; maybe redraw."""
        with self._lock:
            self.bytes += nbytes
            self.objects += objects
            now = time.monotonic()
            if self.enabled and now - self._drawn_at >= self.interval:
                self._drawn_at = now
                self._draw()

    def line(self) -> str:
        """The text of the progress line as it would be drawn now."""
        elapsed = max(self.elapsed, 1e-6)
        done = human_bytes(self.bytes)
        if self.total_bytes:
            pct = min(100, int(100 * self.bytes / self.total_bytes))
            done = f"{done} of {human_bytes(self.total_bytes)} ({pct}%)"
        noun = "object" if self.objects == 1 else "objects"
        return f"{self.label}: {self.objects} {noun}, {done}, {human_bytes(self.bytes / elapsed)}/s"

    def _draw(self) -> None:
        text = self.line()
        pad = " " * max(0, self._width - len(text))
        self.stream.write(f"\r{text}{pad}")
        self.stream.flush()
        self._width = len(text)

    def _clear(self) -> None:
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0

    def message(self, text: str) -> None:
        """Print ``text`` on a line of its own (clearing the progress line first)."""
        with self._lock:
            if self.enabled:
                self._clear()
            self.stream.write(text + "\n")
            self.stream.flush()

    def close(self) -> None:
        """Erase the progress line. Idempotent."""
        with self._lock:
            if self.enabled:
                self._clear()
                self.stream.flush()
