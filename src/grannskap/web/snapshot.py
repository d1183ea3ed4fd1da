"""Serve from private copies (snapshots) of the database, so that imports can run meanwhile.

DuckDB allows one writer *or* any number of readers per file across processes: a dashboard
holding the file open, even read-only, made ``grannskap import`` fail with a lock error (issue
18, finding 7). With snapshots the dashboard opens only its own copy; the original is read
only while it is copied (plain file reads, no DuckDB lock). A watcher notices when an import
has committed (the file changed and no write-ahead log is left), copies the new version,
builds the default pages on it and only then switches the dashboard over: requests never wait
for the new version and never see a half-written one. The old copy is closed and deleted after
a grace period.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["Snapshots"]

log = logging.getLogger("grannskap.web")

Stamp = tuple[int, int, int]


class Snapshots:
    """Copies of ``db`` in a private temporary folder, one per data version."""

    def __init__(self, db: str | Path, folder: str | Path | None = None) -> None:
        self.db = Path(db)
        self.dir = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="grannskap-serve-"))
        self.version = 0
        self.stamp: Stamp | None = None
        self._stop = threading.Event()
        atexit.register(self.cleanup)

    def current_stamp(self) -> Stamp | None:
        try:
            st = self.db.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _writing(self) -> bool:
        # DuckDB keeps a write-ahead log beside the file until the writer checkpoints
        return Path(str(self.db) + ".wal").exists()

    def take(self) -> tuple[Path, Stamp] | None:
        """Copy the database if it is not being written; ``None`` to try again later."""
        before = self.current_stamp()
        if before is None or self._writing():
            return None
        self.version += 1
        path = self.dir / f"v{self.version}.duckdb"
        try:
            shutil.copyfile(self.db, path)
        except OSError as exc:
            log.warning("snapshot of %s failed: %s", self.db, exc)
            path.unlink(missing_ok=True)
            return None
        if self.current_stamp() != before or self._writing():  # written during the copy
            path.unlink(missing_ok=True)
            return None
        return path, before

    def first(self, timeout: float = 120.0) -> tuple[Path, Stamp]:
        """The first snapshot, waiting while an import is writing (up to ``timeout`` s)."""
        from grannskap.errors import DatabaseError

        if not self.db.exists():
            raise DatabaseError(
                f"{self.db}: no such database; create it with `grannskap import` or `--demo`"
            )
        end = time.monotonic() + timeout
        while True:
            got = self.take()
            if got is not None:
                self.stamp = got[1]
                return got
            if time.monotonic() > end:
                raise DatabaseError(
                    f"{self.db}: the database was being written for {timeout:.0f} s; "
                    "start the dashboard after the import"
                )
            time.sleep(0.5)

    def watch(
        self,
        switch: Callable[[Path], Any],
        poll: float = 2.0,
        grace: float = 60.0,
    ) -> threading.Thread:
        """Poll for new versions in a daemon thread; ``switch(path)`` opens a snapshot, makes
        it current and returns a callable that releases the previous one (called after
        ``grace`` seconds, when requests still on it have finished)."""

        def loop() -> None:
            while not self._stop.wait(poll):
                stamp = self.current_stamp()
                if stamp is None or stamp == self.stamp or self._writing():
                    continue
                got = self.take()
                if got is None:
                    continue
                path, stamp = got
                try:
                    release = switch(path)
                except Exception:  # noqa: BLE001 - keep serving the previous version
                    log.exception("new data version %s could not be opened", path)
                    path.unlink(missing_ok=True)
                    self.stamp = stamp  # do not retry the same broken version
                    continue
                self.stamp = stamp
                log.info("serving data version %d (%s)", self.version, path.name)
                if release is not None:
                    timer = threading.Timer(grace, release)
                    timer.daemon = True
                    timer.start()

        t = threading.Thread(target=loop, daemon=True, name="grannskap-snapshots")
        t.start()
        return t

    def stop(self) -> None:
        self._stop.set()

    def cleanup(self) -> None:
        self.stop()
        with contextlib.suppress(OSError):
            shutil.rmtree(self.dir, ignore_errors=True)
