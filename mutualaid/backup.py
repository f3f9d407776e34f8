"""Back up and restore the database: `make backup`, `make restore FILE=...`.

PostgreSQL goes through pg_dump's custom format and pg_restore (the client tools of the server's
major version or newer must be installed). The embedded SQLite file is copied with SQLite's
online backup API, which gives a consistent copy even while the app is writing.

    python -m mutualaid.backup backup [FILE]     # default: VAR_DIR/backups/<db>-<time>.<ext>
    python -m mutualaid.backup restore FILE      # stop the web server and the jobs first
"""

import datetime
import os
import sqlite3
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def _pg_env(database: Mapping[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if database.get(key):
            env[name] = str(database[key])
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return env


def _is_postgres(database: Mapping[str, Any]) -> bool:
    return "postgresql" in database["ENGINE"]


def backup(database: Mapping[str, Any], path: Path) -> Path:
    """Write a backup of `database` (a DATABASES entry) to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if _is_postgres(database):
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={path}",
                database["NAME"],
            ],
            env=_pg_env(database),
            check=True,
        )
    else:
        with _sqlite(database["NAME"]) as source, _sqlite(path) as target:
            source.backup(target)
    return path


def restore(database: Mapping[str, Any], path: Path) -> None:
    """Replace the contents of `database` with the backup at `path`, in one transaction."""
    if not path.is_file():
        raise FileNotFoundError(f"no backup file at {path}")
    if _is_postgres(database):
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={database['NAME']}",
                str(path),
            ],
            env=_pg_env(database),
            check=True,
        )
    else:
        with _sqlite(path) as source, _sqlite(database["NAME"]) as target:
            source.backup(target)


def default_path(database: Mapping[str, Any], now: datetime.datetime, folder: Path) -> Path:
    extension = "dump" if _is_postgres(database) else "sqlite3"
    name = Path(str(database["NAME"])).stem
    return folder / f"{name}-{now:%Y%m%d-%H%M%S}.{extension}"


class _sqlite:
    """A connection closed on exit (sqlite3's own context manager only commits)."""

    def __init__(self, path):
        self.connection = sqlite3.connect(path)

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *exc) -> None:
        self.connection.close()


def main(argv: list[str]) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutualaid.settings")
    django.setup()
    from django.conf import settings

    database = settings.DATABASES["default"]
    if len(argv) >= 1 and argv[0] == "backup" and len(argv) <= 2:
        folder = Path(settings.VAR_DIR) / "backups"
        path = Path(argv[1]) if len(argv) == 2 else default_path(database, _now(), folder)
        print(f"Backup written to {backup(database, path)}")
        return 0
    if len(argv) == 2 and argv[0] == "restore":
        restore(database, Path(argv[1]))
        print(f"Database restored from {argv[1]}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


def _now() -> datetime.datetime:
    return datetime.datetime.now().astimezone()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
