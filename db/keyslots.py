"""Key slots: one wrapped copy of the data key per user, like LUKS.

The SQLCipher file is keyed with a random 256-bit data key. Each slot owns an X25519
key pair; the private half is sealed with a key derived from the user's password
(Argon2id, then AES-256-GCM), and the data key is sealed to the public half. Sealing to a
public key is what lets an administrator rekey the database and re-wrap the new data key
for every remaining user without knowing their passwords, so that a revoked user never
sees the new key.

Each slot also holds an Ed25519 signing key, sealed to the slot's X25519 public key like
the data key: the user signs the heads of the audit chain with it (``casework.core.audit``).
A password change makes a new slot: new key pairs, so an old copy of the file and the old
password open nothing sealed after the change.

The file is not its own authority: the encrypted database lists every slot's public keys
and state (``db.models.keys.KeySlotRecord``), and a slot that does not match is refused
(``db.store``). Argon2id's cost is calibrated at ``init`` (``calibrate_kdf``) and kept in
each slot.

The slot file sits beside the database as ``<db>.keys``. It is written atomically
(temporary file, fsync, rename). A rekey in progress leaves a ``pending`` data key in the
file so that a crash between the database rekey and the file update still opens.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from db.errors import (
    EmptyPassword,
    KeySlotsCorrupt,
    KeySlotsMissing,
    RevokedUser,
    UnknownUser,
    WrongPassword,
)

FORMAT = "casework-keyslots"
VERSION = 2
READABLE_VERSIONS = (1, 2)  # version 1: slots without a signing key (before 0003_signing)
DATA_KEY_BYTES = 32

# Argon2id parameters: at least 64 MiB and 3 passes (the floor ``calibrate_kdf`` keeps).
DEFAULT_KDF: dict[str, int] = {"memory_kib": 65536, "time_cost": 3, "parallelism": 2}
KDF_TARGET_SECONDS = 0.5
MAX_TIME_COST = 64

RECOVERY_SLOT = "__recovery__"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def slot_path(db_path: Path) -> Path:
    """Where the key-slot file of a database lives."""
    return db_path.with_name(db_path.name + ".keys")


def derive_kek(secret: str, salt: bytes, kdf: dict[str, int]) -> bytes:
    """Derive a key-encryption key from a password with Argon2id."""
    return _argon2id(secret, salt, kdf)


def _argon2id(secret: str, salt: bytes, kdf: dict[str, int]) -> bytes:
    return hash_secret_raw(
        secret=secret.encode("utf-8"),
        salt=salt,
        time_cost=kdf["time_cost"],
        memory_cost=kdf["memory_kib"],
        parallelism=kdf["parallelism"],
        hash_len=32,
        type=Type.ID,
    )


def calibrate_kdf(target_seconds: float = KDF_TARGET_SECONDS) -> dict[str, int]:
    """Argon2id parameters that take about ``target_seconds`` on this machine: 64 MiB and
    as many passes as fit (never fewer than 3), measured on one derivation."""
    kdf = dict(DEFAULT_KDF)
    start = time.perf_counter()
    _argon2id("calibration", b"casework-calib16", kdf)
    took = max(time.perf_counter() - start, 1e-3)
    kdf["time_cost"] = max(DEFAULT_KDF["time_cost"],
                           min(MAX_TIME_COST, round(kdf["time_cost"] * target_seconds / took)))
    return kdf


def fingerprint(public_b64: str) -> str:
    """A short, printable name of a public key (the first 16 bytes of its SHA-256)."""
    digest = hashes.Hash(hashes.SHA256())
    digest.update(_unb64(public_b64))
    return digest.finalize()[:16].hex()


def _seal_key(shared: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(shared)


def key_check(data_key: bytes, db_uuid: str) -> str:
    """A MAC that tells whether a data key belongs to this database without trying it."""
    mac = hmac.HMAC(data_key, hashes.SHA256())
    mac.update(b"casework key check|" + db_uuid.encode("ascii"))
    return _b64(mac.finalize())


def new_data_key() -> bytes:
    """A fresh random 256-bit data key."""
    return secrets.token_bytes(DATA_KEY_BYTES)


def new_recovery_key() -> str:
    """A recovery key to print once: 32 random bytes as eight groups of base32."""
    raw = base64.b32encode(secrets.token_bytes(30)).decode("ascii")
    return "-".join(raw[i : i + 6] for i in range(0, len(raw), 6))


def normalise_recovery_key(text: str) -> str:
    """Accept a recovery key typed with spaces, lower case or missing dashes."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(compact[i : i + 6] for i in range(0, len(compact), 6))


# The signing key of a slot just made, for its maker to take once (``take_fresh_signing``).
FRESH_SIGNING: dict[int, Ed25519PrivateKey] = {}


def take_fresh_signing(slot: Slot) -> Ed25519PrivateKey:
    """The signing key ``Slot.create`` made for ``slot`` (once; KeyError afterwards)."""
    return FRESH_SIGNING.pop(id(slot))


@dataclass
class Slot:
    """One user's (or the recovery) wrapped key material. Holds no secret in the clear."""

    name: str
    kind: str  # "user" or "recovery"
    state: str  # "active" or "revoked"
    kdf: dict[str, int]
    salt: str
    priv_nonce: str
    priv_sealed: str
    public: str
    sealed: dict[str, dict[str, str]] = field(default_factory=dict)  # generation -> box
    sign_public: str = ""  # Ed25519, base64 ("" for a slot made before 0003_signing)
    sign_sealed: dict[str, str] = field(default_factory=dict)  # sealed to ``public``

    def __repr__(self) -> str:  # never print key material
        return f"Slot(name={self.name!r}, kind={self.kind!r}, state={self.state!r})"

    def _aad(self, db_uuid: str) -> bytes:
        return f"{FORMAT}|{db_uuid}|{self.kind}|{self.name}".encode()

    def open_private(self, secret: str, db_uuid: str) -> X25519PrivateKey:
        kek = derive_kek(secret, _unb64(self.salt), self.kdf)
        try:
            raw = AESGCM(kek).decrypt(
                _unb64(self.priv_nonce), _unb64(self.priv_sealed), self._aad(db_uuid)
            )
        except InvalidTag:
            raise WrongPassword() from None
        return X25519PrivateKey.from_private_bytes(raw)

    def _box(self, secret: bytes, db_uuid: str, label: str) -> dict[str, str]:
        eph = X25519PrivateKey.generate()
        shared = eph.exchange(X25519PublicKey.from_public_bytes(_unb64(self.public)))
        nonce = secrets.token_bytes(12)
        box = AESGCM(_seal_key(shared, self._aad(db_uuid))).encrypt(
            nonce, secret, self._aad(db_uuid) + label.encode()
        )
        eph_pub = eph.public_key().public_bytes_raw()
        return {"eph": _b64(eph_pub), "nonce": _b64(nonce), "box": _b64(box)}

    def _unbox(self, entry: dict[str, str], private: X25519PrivateKey, db_uuid: str,
               label: str) -> bytes:
        try:
            shared = private.exchange(X25519PublicKey.from_public_bytes(_unb64(entry["eph"])))
            return AESGCM(_seal_key(shared, self._aad(db_uuid))).decrypt(
                _unb64(entry["nonce"]), _unb64(entry["box"]), self._aad(db_uuid) + label.encode(),
            )
        except (InvalidTag, KeyError, ValueError):
            raise KeySlotsCorrupt() from None

    def seal_data_key(self, data_key: bytes, db_uuid: str, generation: str) -> None:
        self.sealed[generation] = self._box(data_key, db_uuid, generation)

    def open_data_key(self, private: X25519PrivateKey, db_uuid: str, generation: str) -> bytes:
        return self._unbox(self.sealed[generation], private, db_uuid, generation)

    def new_signing_key(self, db_uuid: str) -> Ed25519PrivateKey:
        """Give the slot a fresh Ed25519 signing key, sealed to its public key."""
        signing = Ed25519PrivateKey.generate()
        self.sign_public = _b64(signing.public_key().public_bytes_raw())
        self.sign_sealed = self._box(signing.private_bytes_raw(), db_uuid, "|signing")
        return signing

    def open_signing_key(self, private: X25519PrivateKey, db_uuid: str) -> Ed25519PrivateKey:
        """The slot's signing key (``KeySlotsCorrupt`` if it does not match its public)."""
        raw = self._unbox(self.sign_sealed, private, db_uuid, "|signing")
        signing = Ed25519PrivateKey.from_private_bytes(raw)
        if _b64(signing.public_key().public_bytes_raw()) != self.sign_public:
            raise KeySlotsCorrupt()
        return signing

    @classmethod
    def create(cls, name: str, kind: str, secret: str, db_uuid: str, kdf: dict[str, int]) -> Slot:
        if not secret:
            raise EmptyPassword()
        private = X25519PrivateKey.generate()
        slot = cls(
            name=name,
            kind=kind,
            state="active",
            kdf=dict(kdf),
            salt=_b64(secrets.token_bytes(16)),
            priv_nonce="",
            priv_sealed="",
            public=_b64(private.public_key().public_bytes_raw()),
        )
        slot.set_secret(private, secret, db_uuid)
        FRESH_SIGNING[id(slot)] = slot.new_signing_key(db_uuid)
        return slot

    def set_secret(self, private: X25519PrivateKey, secret: str, db_uuid: str) -> None:
        """Seal the private key under a (new) password."""
        if not secret:
            raise EmptyPassword()
        self.salt = _b64(secrets.token_bytes(16))
        kek = derive_kek(secret, _unb64(self.salt), self.kdf)
        nonce = secrets.token_bytes(12)
        self.priv_nonce = _b64(nonce)
        self.priv_sealed = _b64(
            AESGCM(kek).encrypt(nonce, private.private_bytes_raw(), self._aad(db_uuid))
        )


@dataclass
class KeySlotFile:
    """The whole slot file: the database's identity, its key generations and its slots."""

    db_uuid: str
    generation: str
    check: str
    slots: list[Slot]
    pending: dict[str, str] | None = None  # {"generation": ..., "check": ...} during a rekey
    kdf: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_KDF))  # for new slots

    def __repr__(self) -> str:
        return f"KeySlotFile(slots={len(self.slots)}, generation={self.generation!r})"

    # -- finding and opening -------------------------------------------------------
    def find(self, name: str) -> Slot:
        for slot in self.slots:
            if slot.name == name:
                if slot.state != "active":
                    raise RevokedUser()
                return slot
        raise UnknownUser()

    def active_slots(self) -> list[Slot]:
        return [s for s in self.slots if s.state == "active"]

    def unlock(self, name: str, secret: str) -> tuple[bytes, X25519PrivateKey]:
        """Return the current data key (and the pending one's generation is tried too)."""
        if not secret:
            raise EmptyPassword()
        slot = self.find(name)
        private = slot.open_private(secret, self.db_uuid)
        return self.data_key_for(slot, private), private

    def data_key_for(self, slot: Slot, private: X25519PrivateKey) -> bytes:
        if self.generation not in slot.sealed:
            raise KeySlotsCorrupt()
        key = slot.open_data_key(private, self.db_uuid, self.generation)
        if key_check(key, self.db_uuid) != self.check:
            raise KeySlotsCorrupt()
        return key

    def pending_key_for(self, slot: Slot, private: X25519PrivateKey) -> bytes | None:
        if not self.pending or self.pending["generation"] not in slot.sealed:
            return None
        key = slot.open_data_key(private, self.db_uuid, self.pending["generation"])
        if key_check(key, self.db_uuid) != self.pending["check"]:
            raise KeySlotsCorrupt()
        return key

    # -- changing ------------------------------------------------------------------
    def add(self, name: str, kind: str, secret: str, data_key: bytes,
            kdf: dict[str, int] | None = None) -> Slot:
        if any(s.name == name and s.state == "active" for s in self.slots):
            raise ValueError("a slot of that name already exists")
        self.slots = [s for s in self.slots if s.name != name]
        slot = Slot.create(name, kind, secret, self.db_uuid, kdf or self.kdf)
        slot.seal_data_key(data_key, self.db_uuid, self.generation)
        self.slots.append(slot)
        return slot

    def revoke(self, name: str) -> None:
        slot = self.find(name)
        slot.state = "revoked"
        slot.sealed = {}
        slot.priv_sealed = ""
        slot.priv_nonce = ""

    def begin_rekey(self, new_key: bytes, names: set[str] | None = None) -> str:
        """Seal ``new_key`` as pending to the active slots (only those in ``names`` when
        given: the ones the database vouches for)."""
        generation = secrets.token_hex(8)
        for slot in self.active_slots():
            if names is None or slot.name in names:
                slot.seal_data_key(new_key, self.db_uuid, generation)
        self.pending = {"generation": generation, "check": key_check(new_key, self.db_uuid)}
        return generation

    def finish_rekey(self) -> None:
        if not self.pending:
            return
        self.generation = self.pending["generation"]
        self.check = self.pending["check"]
        self.pending = None
        for slot in self.slots:
            if self.generation in slot.sealed:
                slot.sealed = {self.generation: slot.sealed[self.generation]}
            else:  # not sealed to (refused by the database's registry): nothing to open
                slot.sealed = {}

    def abandon_rekey(self) -> None:
        if not self.pending:
            return
        for slot in self.slots:
            slot.sealed.pop(self.pending["generation"], None)
        self.pending = None

    # -- persistence ---------------------------------------------------------------
    def to_json(self) -> str:
        doc: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "db_uuid": self.db_uuid,
            "generation": self.generation,
            "check": self.check,
            "pending": self.pending,
            "kdf": self.kdf,
            "slots": [{f.name: getattr(s, f.name) for f in fields(Slot)} for s in self.slots],
        }
        return json.dumps(doc, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> KeySlotFile:
        try:
            doc = json.loads(text)
            if doc.get("format") != FORMAT or doc.get("version") not in READABLE_VERSIONS:
                raise KeySlotsCorrupt()
            slots = [Slot(**s) for s in doc["slots"]]
            for s in slots:
                for gen in s.sealed.values():
                    for part in gen.values():
                        _unb64(part)
            return cls(
                db_uuid=str(doc["db_uuid"]),
                generation=str(doc["generation"]),
                check=str(doc["check"]),
                slots=slots,
                pending=doc.get("pending"),
                kdf={k: int(v) for k, v in doc.get("kdf", DEFAULT_KDF).items()},
            )
        except KeySlotsCorrupt:
            raise
        except (ValueError, KeyError, TypeError, AttributeError):
            raise KeySlotsCorrupt() from None

    @classmethod
    def load(cls, db_path: Path) -> KeySlotFile:
        path = slot_path(db_path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise KeySlotsMissing() from None
        except (UnicodeDecodeError, OSError):
            raise KeySlotsCorrupt() from None
        return cls.from_json(text)

    def save(self, db_path: Path) -> None:
        atomic_write_text(slot_path(db_path), self.to_json())

    @classmethod
    def new(cls, data_key: bytes, kdf: dict[str, int] | None = None) -> KeySlotFile:
        db_uuid = secrets.token_hex(16)
        return cls(db_uuid=db_uuid, generation=secrets.token_hex(8),
                   check=key_check(data_key, db_uuid), slots=[],
                   kdf=dict(kdf or DEFAULT_KDF))


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file so that a reader sees the old or the new content, never half."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write bytes atomically: temporary file in the same folder, fsync, rename, fsync dir."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
