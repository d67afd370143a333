"""Describe the machine and the software a run measured, for the report's header."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import psycopg

__all__ = ["describe", "load_average"]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _git_commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip()


def load_average() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages (zeros where unknown)."""
    try:
        return os.getloadavg()
    except OSError:
        return (0.0, 0.0, 0.0)


def _postgres(pg_url: str) -> dict[str, str]:
    try:
        with psycopg.connect(pg_url, connect_timeout=5) as conn:
            found = {}
            for name in ("server_version", "synchronous_commit", "fsync", "shared_buffers"):
                row = conn.execute(f"SHOW {name}").fetchone()  # names are constants above
                found[name] = str(row[0]) if row else "?"
            return found
    except psycopg.Error as exc:
        return {"error": str(exc).splitlines()[0]}


def describe(pg_url: str | None) -> dict[str, Any]:
    """Everything that explains a number: CPU, memory, OS, versions, database settings."""
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count() or 0,
        "memory_gib": _memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgres": _postgres(pg_url) if pg_url else {},
        "packages": {
            name: _version(name)
            for name in ("fabula", "psycopg", "psycopg-pool", "msgspec", "eventsourcing")
        },
        "psycopg_impl": psycopg.pq.__impl__,
        "git_commit": _git_commit(),
        "load_before": load_average(),
    }
