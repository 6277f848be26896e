"""A real ``kiosk-server`` (SQLite) in a subprocess on a free loopback port, for end-to-end tests.

``init``, ``serve`` and ``import-batch`` go through the server's CLI as staff would type them;
kiosks are enrolled with the function behind ``enroll-kiosk`` (a process start per test costs
seconds on this shared machine).
:meth:`ServerProcess.records` reads what the server's database holds for one kiosk (every
field, unlike ``export``, which leaves the follow-up token out).
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC
from pathlib import Path
from typing import Any

from tests.support.servers import (
    SERVER_CLI,
    free_port,
    start_process,
    stop_process,
    wait_until_healthy,
)

CLI = SERVER_CLI


class ServerProcess:
    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = self.data_dir / "serve.log"
        self._db: Any = None
        self.env = dict(
            os.environ,
            KT_DATA_DIR=str(self.data_dir),
            KT_HOST="127.0.0.1",
            KT_PORT=str(self.port),
            KT_PUBLIC_BASE_URL=f"http://127.0.0.1:{self.port}",
        )
        self.env.pop("KT_DATABASE_URL", None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(
        self, *args: str, check: bool = True, timeout: float = 60
    ) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [*CLI, *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"kiosk-server {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            )
        return done

    def start(self) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.cli("init")
        self.process = start_process([*CLI, "serve"], self.log, self.env)
        wait_until_healthy(self.url, self.process, self.log, healthy=lambda status: status < 500)
        return self

    def stop(self) -> None:
        if self._db is not None:
            self._db.dispose()
        if self.process is not None:
            stop_process(self.process)

    def enroll(self, kiosk_id: str) -> str:
        """Enroll a kiosk (what ``enroll-kiosk --json`` does, without a process start); its secret."""
        from sync.server.db.kiosks import enroll_kiosk

        return enroll_kiosk(self._engine(), kiosk_id, "test library", kiosk_id=kiosk_id).secret

    def import_batch(self, path: Path) -> dict[str, Any]:
        """``kiosk-server import-batch FILE``; return the ack it prints."""
        return json.loads(self.cli("import-batch", str(path)).stdout)

    def _engine(self) -> Any:
        if self._db is None:
            from sync.server.db.engine import make_engine
            from sync.server.settings import Settings

            url = Settings.load({"data_dir": str(self.data_dir)}, env={}).resolved_database_url
            self._db = make_engine(url)
        return self._db

    def records(self, kiosk_id: str) -> list[dict[str, Any]]:
        """Every record the server's database holds for one kiosk, all schema fields."""
        from sqlalchemy import select

        from sync.server.db.tables import records

        query = select(records).where(records.c.kiosk_id == kiosk_id)
        with self._engine().connect() as conn:
            rows = [dict(row) for row in conn.execute(query).mappings()]
        for row in rows:
            created = row["created_at"]
            if created.tzinfo is None:  # SQLite hands back naive UTC
                created = created.replace(tzinfo=UTC)
            row["created_at"] = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return rows

    def batches(self, kiosk_id: str) -> list[dict[str, Any]]:
        from sqlalchemy import select

        from sync.server.db.tables import batches

        query = select(batches).where(batches.c.kiosk_id == kiosk_id)
        with self._engine().connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]
