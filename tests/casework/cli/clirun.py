"""Running the real casework-cli in a subprocess, and what every failure must look like."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import PASSWORD

CLI = Path(sys.executable).with_name("casework-cli")
QUOTED = "it's \"quoted\" \\ and \\\\ back; DROP TABLE users"


def run_cli(*args: str, password: str | None = PASSWORD,
            env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_")}
    if password is not None:
        env["CASEWORK_PASSWORD"] = password
    env.update(env_extra or {})
    command = [str(CLI)] if CLI.exists() else [sys.executable, "-m", "casework.cli.main"]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env,
                          timeout=120, stdin=subprocess.DEVNULL)


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every database, key-slot, WAL and journal file in ``folder``.

    ``<db>.lockout`` (the failed-unlock counter of ``casework.lockout``) is meant to
    change on a failure; it is checked separately to hold no secret.
    """
    for lockout in folder.glob("*.lockout"):
        text = lockout.read_text(encoding="utf-8")
        assert PASSWORD not in text and QUOTED not in text
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file() and p.suffix != ".lockout"}


def assert_clean_failure(result: subprocess.CompletedProcess[str], *secrets: str) -> str:
    """Exactly one line on stderr, non-zero exit, no traceback, no secret echoed."""
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    everything = result.stdout + result.stderr
    assert "Traceback" not in everything
    for secret in secrets:
        if secret:
            assert secret not in everything
    assert lines[0].startswith("casework-cli: ")
    return lines[0]
