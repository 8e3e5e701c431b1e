"""``casework --demo``: make (once) a demo database of synthetic cases and say how to sign in."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

DEMO_CASES = 2000
DEMO_USER = "asb1"


@dataclass(frozen=True)
class Demo:
    path: Path
    username: str


def demo_path() -> Path:
    """Where the demo database lives: the user's data directory for casework."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("casework")) / "demo.db"


def _console_progress(fraction: float) -> None:
    width = 40
    done = int(max(0.0, min(1.0, float(fraction))) * width)
    sys.stdout.write(f"\r  [{'#' * done}{'.' * (width - done)}] {fraction:4.0%}")
    sys.stdout.flush()


def ensure_demo(path: Path | None = None, cases: int = DEMO_CASES) -> Demo | None:
    """Create the demo database if it does not exist yet; print the users and password."""
    from casework import demo
    from casework.core.errors import CaseworkError
    from db.errors import StoreError

    path = path or demo_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"Creating a demo database of {cases:,} synthetic cases at {path} ...")
        try:
            demo.create_demo_database(path, cases=cases, progress=_console_progress)
        except (CaseworkError, StoreError) as exc:
            print(f"\ncasework: error: {exc}", file=sys.stderr)
            return None
        print("\nDone.")
    users = ", ".join(f"{u.username} ({u.role.replace('_', ' ')})" for u in demo.DEMO_USERS)
    print("Demo database (synthetic data only):", path)
    print(f"  Sign in as {DEMO_USER!r} with the password {demo.DEMO_PASSWORD!r}.")
    print(f"  Other demo users, same password: {users}")
    return Demo(path, DEMO_USER)
