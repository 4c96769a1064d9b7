"""The project's own Neo4j Community server: fetched by Maven, run by Java 17 on 127.0.0.1.

State lives in ``<state_dir>/neo4j`` (data, logs, config, the generated password and the
port); the jars live in a per-user cache that survives fresh clones. ``verbund neo4j
start|stop|status`` drives this module; ``make run`` and ``make test`` call start.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from api.settings import PROJECT_ROOT, Settings
from graph import Graph, GraphError, Neo4jConfig
from graph.admin import ServerInfo, server_info

POM = PROJECT_ROOT / "neo4j" / "pom.xml"
USER = "neo4j"

# What Neo4j's own launcher passes to the JVM that matters for an embedded start.
JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
)


class LocalServerError(Exception):
    """The local Neo4j could not be installed, started or stopped; the message says why."""


def neo4j_version() -> str:
    """The Neo4j version, kept in one place: the launcher's pom."""
    match = re.search(r"<neo4j\.version>([^<]+)</neo4j\.version>", POM.read_text("utf-8"))
    if not match:
        raise LocalServerError(f"{POM}: <neo4j.version> fehlt")
    return match.group(1)


def jar_dir() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "verbund" / f"neo4j-{neo4j_version()}" / "lib"


def install_jars(*, quiet: bool = True) -> Path:
    """Copy the Neo4j jars from Maven (once per user and version) and return their folder."""
    target = jar_dir()
    if (target / ".complete").exists():
        return target
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LocalServerError("Maven (mvn) fehlt: bitte installieren (apt-get install maven).")
    staging = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    cmd = [
        mvn,
        "-B",
        "-f",
        str(POM),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={staging}",
    ]
    if quiet:
        cmd.insert(2, "-q")
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-20:])
        raise LocalServerError(f"Maven konnte die Neo4j-Jars nicht laden:\n{tail}")
    (staging / ".complete").write_text(neo4j_version(), "utf-8")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java:
        raise LocalServerError(
            "Java 17 fehlt: bitte installieren (apt-get install openjdk-17-jre)."
        )
    return java


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # Neo4j binds with SO_REUSEADDR too, so a port in TIME_WAIT after a stop is reusable
        # and the server keeps its address across restarts (clients reconnect by themselves).
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child (not yet reaped) is not a running server.
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():
        with contextlib.suppress(OSError, IndexError):
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


@dataclass(frozen=True, slots=True)
class Status:
    running: bool
    pid: int | None
    uri: str | None
    info: ServerInfo | None
    home: Path


class LocalNeo4j:
    """One local server per state folder."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.home = settings.state_dir / "neo4j"
        self.conf_dir = self.home / "conf"
        self.data_dir = self.home / "data"
        self.logs_dir = self.home / "logs"
        self.state_file = self.home / "server.json"
        self.password_file = self.home / "password"

    # -- state ---------------------------------------------------------------------------
    def _state(self) -> dict[str, int]:
        try:
            data = json.loads(self.state_file.read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        return {k: int(v) for k, v in data.items() if k in {"pid", "port"}}

    def _save_state(self, **values: int) -> None:
        state = self._state() | values
        self.state_file.write_text(json.dumps(state), "utf-8")

    def _password(self) -> str:
        if not self.password_file.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                # Hex, not urlsafe: a leading "-" would be read as an option by neo4j-admin.
                fh.write(secrets.token_hex(24))
        os.chmod(self.password_file, 0o600)
        return self.password_file.read_text("utf-8").strip()

    def config(self) -> Neo4jConfig:
        """How to reach this server (whether or not it is running now)."""
        port = self._state().get("port")
        if port is None:
            raise LocalServerError(
                "Die lokale Neo4j wurde noch nie gestartet: "
                "`verbund neo4j start` (oder `make run`)."
            )
        return Neo4jConfig(
            uri=f"bolt://127.0.0.1:{port}",
            user=USER,
            password=self._password(),
            database=self.settings.neo4j_database,
            query_timeout=self.settings.query_timeout_seconds,
            analysis_timeout=self.settings.analysis_timeout_seconds,
            analysis_cache_seconds=self.settings.analysis_cache_seconds,
            analysis_cache_entries=self.settings.analysis_cache_entries,
            analysis_processes=self.settings.analysis_processes,
        )

    def pid(self) -> int | None:
        pid = self._state().get("pid")
        return pid if pid and _alive(pid) else None

    # -- start ---------------------------------------------------------------------------
    def _write_conf(self, port: int) -> None:
        for d in (
            self.conf_dir,
            self.data_dir,
            self.logs_dir,
            self.home / "run",
            self.home / "import",
            self.home / "plugins",
        ):
            d.mkdir(parents=True, exist_ok=True)
        s = self.settings
        lines = {
            "server.default_listen_address": "127.0.0.1",
            "server.default_advertised_address": "127.0.0.1",
            "server.bolt.listen_address": f"127.0.0.1:{port}",
            "server.http.enabled": "false",
            "server.https.enabled": "false",
            "dbms.security.auth_enabled": "true",
            "server.memory.pagecache.size": s.neo4j_pagecache,
            "server.directories.data": str(self.data_dir),
            "server.directories.logs": str(self.logs_dir),
            "server.directories.run": str(self.home / "run"),
            "server.directories.import": str(self.home / "import"),
            "server.directories.plugins": str(self.home / "plugins"),
            "db.tx_log.rotation.retention_policy": "2 files",
            "dbms.usage_report.enabled": "false",
            "server.logs.gc.enabled": "false",
        }
        text = "".join(f"{k}={v}\n" for k, v in lines.items())
        (self.conf_dir / "neo4j.conf").write_text(text, "utf-8")

    def _java_cmd(self, main: str, *args: str, heap: str | None = None) -> list[str]:
        lib = install_jars()
        memory = [f"-Xms{heap}", f"-Xmx{heap}"] if heap else ["-Xmx256m"]
        return [_java(), *memory, *JVM_OPTIONS, "-cp", f"{lib}/*", main, *args]

    def _env(self) -> dict[str, str]:
        return os.environ | {"NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.conf_dir)}

    def _set_initial_password(self) -> None:
        if (self.data_dir / "databases" / "system").exists():
            return
        proc = subprocess.run(
            self._java_cmd(
                "org.neo4j.server.startup.Neo4jAdminCommand",
                "dbms",
                "set-initial-password",
                self._password(),
            ),
            capture_output=True,
            text=True,
            env=self._env(),
            check=False,
        )
        if proc.returncode != 0:
            raise LocalServerError(
                "Neo4j-Passwort konnte nicht gesetzt werden:\n" + proc.stderr[-2000:]
            )

    def start(self) -> Neo4jConfig:
        """Start the server (or reuse the running one) and wait until Bolt answers."""
        if self.pid() is not None:
            config = self.config()
            self._wait(config, deadline=time.monotonic() + self.settings.neo4j_start_timeout)
            return config
        install_jars()
        port = self._state().get("port")
        if port is None or not _port_free(port):
            port = _free_port()
        self._write_conf(port)
        self._set_initial_password()
        self._save_state(port=port, pid=0)
        console = (self.logs_dir / "console.log").open("ab")
        proc = subprocess.Popen(
            self._java_cmd(
                "org.neo4j.server.CommunityEntryPoint",
                f"--home-dir={self.home}",
                f"--config-dir={self.conf_dir}",
                heap=self.settings.neo4j_heap,
            ),
            stdout=console,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self._env(),
            cwd=self.home,
            start_new_session=True,
        )
        console.close()
        self._save_state(pid=proc.pid)
        config = self.config()
        try:
            self._wait(
                config, deadline=time.monotonic() + self.settings.neo4j_start_timeout, proc=proc
            )
        except LocalServerError:
            self.stop()
            raise
        return config

    def _wait(
        self, config: Neo4jConfig, deadline: float, proc: subprocess.Popen[bytes] | None = None
    ) -> None:
        last = ""
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise LocalServerError(
                    f"Neo4j hat sich beim Start beendet (Exit-Code {proc.returncode}).\n"
                    + self.log_tail()
                )
            try:
                with Graph(
                    Neo4jConfig(
                        config.uri,
                        config.user,
                        config.password,
                        config.database,
                        connection_timeout=2.0,
                    )
                ) as g:
                    g.verify()
                    return
            except GraphError as exc:
                last = str(exc)
            time.sleep(0.5)
        raise LocalServerError(
            f"Neo4j antwortet nach {self.settings.neo4j_start_timeout:.0f} s nicht auf "
            f"{config.uri} ({last}).\n" + self.log_tail()
        )

    def log_tail(self, lines: int = 25) -> str:
        out = []
        for name in ("console.log", "neo4j.log"):
            path = self.logs_dir / name
            if path.exists():
                tail = path.read_text("utf-8", errors="replace").splitlines()[-lines:]
                out.append(f"--- {path} (letzte Zeilen) ---\n" + "\n".join(tail))
        return "\n".join(out)

    # -- bulk load ---------------------------------------------------------------------
    def offline_import(self, arguments: list[str]) -> float:
        """Replace the database with the files named by ``arguments`` (``--nodes=…``,
        ``--relationships=…``, see graph/bulk.py) through ``neo4j-admin database import``;
        return the tool's seconds. The server is stopped for it and started again.

        The tool replaces the store as a whole and leaves an unusable one when it fails, so
        the old store is moved aside first and put back on any failure: the database is
        then as it was. Only for the project's own server (the caller checked it is empty).
        """
        database = self.settings.neo4j_database
        stores = [self.data_dir / "databases" / database, self.data_dir / "transactions" / database]
        self.stop()
        kept = [d.with_name(d.name + ".vor-schnellimport") for d in stores]
        for store, aside in zip(stores, kept, strict=True):
            shutil.rmtree(aside, ignore_errors=True)
            if store.exists():
                store.rename(aside)
        cmd = self._java_cmd(
            "org.neo4j.server.startup.Neo4jAdminCommand",
            "database",
            "import",
            "full",
            # The name first: --nodes takes several values and would swallow it.
            database,
            "--overwrite-destination=true",
            "--multiline-fields=true",
            "--array-delimiter=\\u001F",
            f"--report-file={self.logs_dir / 'import-report.txt'}",
            *arguments,
            heap=self.settings.neo4j_heap,
        )
        started = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=self._env(), check=False)
        seconds = time.monotonic() - started
        if proc.returncode != 0:
            for store, aside in zip(stores, kept, strict=True):
                shutil.rmtree(store, ignore_errors=True)
                if aside.exists():
                    aside.rename(store)
            self.start()
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-15:])
            raise LocalServerError(
                "Der Schnellimport (neo4j-admin database import) ist fehlgeschlagen; die "
                f"Datenbank ist unverändert. Bitte den normalen Import nutzen.\n{tail}"
            )
        for aside in kept:
            shutil.rmtree(aside, ignore_errors=True)
        self.start()
        return seconds

    # -- stop / status -------------------------------------------------------------------
    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server; return whether one was running."""
        pid = self.pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.2)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        self._save_state(pid=0)
        return True

    def status(self) -> Status:
        pid = self.pid()
        if pid is None:
            return Status(False, None, None, None, self.home)
        config = self.config()
        try:
            with Graph(config) as g:
                info = server_info(g)
        except GraphError:
            info = None
        return Status(True, pid, config.uri, info, self.home)


def resolve_config(settings: Settings) -> Neo4jConfig:
    """The Neo4j to use: the user's (``NEO4J_URI``) or the project's local one."""
    if settings.neo4j_uri:
        if settings.neo4j_password is None:
            raise LocalServerError("NEO4J_URI ist gesetzt, NEO4J_PASSWORD fehlt.")
        return Neo4jConfig(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password,
            settings.neo4j_database,
            query_timeout=settings.query_timeout_seconds,
            analysis_timeout=settings.analysis_timeout_seconds,
            analysis_cache_seconds=settings.analysis_cache_seconds,
            analysis_cache_entries=settings.analysis_cache_entries,
            analysis_processes=settings.analysis_processes,
        )
    return LocalNeo4j(settings).config()


def ensure_started(settings: Settings) -> Neo4jConfig:
    """Start the local server unless the user brings their own; return how to reach it."""
    if settings.neo4j_uri:
        return resolve_config(settings)
    return LocalNeo4j(settings).start()
