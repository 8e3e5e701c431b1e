"""Server connection profiles: where a laptop connects (host, port, database, user, TLS
files). Never a password: it is asked for at sign-in, or a client certificate is used.
Kept in a small JSON file in the user's configuration folder (platformdirs)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from urllib.parse import quote, urlencode

import platformdirs

from casework.core.errors import NotFound, ValidationError

SSL_MODES = ("require", "verify-ca", "verify-full", "disable")
LOCAL = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class Profile:
    name: str
    host: str
    database: str
    user: str = ""
    port: int = 5432
    sslmode: str = "require"
    sslrootcert: str = ""
    sslcert: str = ""
    sslkey: str = ""

    def url(self) -> str:
        """The connection URL (no user, no password: the caller adds the user)."""
        query = {"sslmode": self.sslmode}
        for key in ("sslrootcert", "sslcert", "sslkey"):
            if getattr(self, key):
                query[key] = getattr(self, key)
        host = f"[{self.host}]" if ":" in self.host else self.host
        return (f"postgresql://{host}:{self.port}/{quote(self.database, safe='')}?"
                f"{urlencode(query)}")


def config_path() -> Path:
    override = os.environ.get("CASEWORK_SERVERS_FILE")
    if override:
        return Path(override)
    return platformdirs.user_config_path("casework") / "servers.json"


def load() -> dict[str, Profile]:
    path = config_path()
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(f"The server profiles file {path} could not be read "
                              f"({type(exc).__name__}).", field="server") from None
    known = {f.name for f in fields(Profile)}
    return {name: Profile(**{k: v for k, v in entry.items() if k in known})
            for name, entry in raw.items() if isinstance(entry, dict)}


def validate(profile: Profile) -> Profile:
    if not profile.name or not profile.host or not profile.database:
        raise ValidationError("A profile needs a name, a host and a database.", "server")
    if profile.sslmode not in SSL_MODES:
        raise ValidationError(f"sslmode must be one of: {', '.join(SSL_MODES)}.", "sslmode")
    if profile.sslmode == "disable" and profile.host not in LOCAL:
        raise ValidationError("TLS can be turned off only for a server on this machine "
                              "(127.0.0.1).", "sslmode")
    if not 0 < profile.port < 65536:
        raise ValidationError("The port is a number from 1 to 65535.", "port")
    return profile


def save(profile: Profile) -> Path:
    """Add or replace a profile (written atomically)."""
    validate(profile)
    everything = load()
    everything[profile.name] = profile
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({n: asdict(p) for n, p in sorted(everything.items())},
                              indent=2), encoding="utf-8")
    os.replace(tmp, path)
    return path


def get(name: str) -> Profile:
    found = load().get(name)
    if found is None:
        raise NotFound(f"No server profile named {name!r} (casework-cli server profile add).")
    return found
