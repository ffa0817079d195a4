"""Sealing: what must not sit in the database in clear, encrypted under a key kept outside it.

The bot has to read some things that no database reader may: where to
relay a secretary's answer to an anonymous 意见箱 author, the state of a
flow where someone is casting an anonymous ballot, a receipt waiting for a
platform to come back, an inbound message before it is handled. These are
kept only sealed (AES-256-GCM, a fresh nonce each time, with what the
value is for as associated data), and wiped when no longer needed.

The key comes from TONGXIN_SECRET_KEY (32 bytes, URL-safe base64). When it
is unset, a key file `tongxin-secret.key` is created at first use with mode
0600 next to the SQLite database, or in the working directory for
PostgreSQL. It must never be copied with database backups: whoever holds
the database and the key together can open what is sealed (docs/ANONYMITY.md
says what holds against whom). Losing it only means that sealed values
written before can no longer be opened: old anonymous authors cannot be
answered, and messages still waiting are dropped.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.config import SECRET_KEY_FILE, Settings

KEY_FILE = SECRET_KEY_FILE
NONCE = 12


def load_key(settings: Settings) -> bytes:
    """The sealing key: the setting, else the key file, made on first use."""
    if settings.secret_key:
        return base64.urlsafe_b64decode(settings.secret_key)
    path = settings.secret_key_file
    try:
        return base64.urlsafe_b64decode(path.read_bytes().strip())
    except FileNotFoundError:
        pass
    key = AESGCM.generate_key(bit_length=256)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another replica or worker made it first: use theirs.
        return base64.urlsafe_b64decode(path.read_bytes().strip())
    with os.fdopen(fd, "wb") as f:
        f.write(base64.urlsafe_b64encode(key) + b"\n")
    return key


def seal(key: bytes, platform: str, user_id: str, context: str) -> bytes:
    nonce = secrets.token_bytes(NONCE)
    data = f"{platform}:{user_id}".encode()
    return nonce + AESGCM(key).encrypt(nonce, data, context.encode())


def unseal(key: bytes, blob: bytes, context: str) -> tuple[str, str] | None:
    """(platform, user id), or None when the key or the context does not match."""
    try:
        plain = AESGCM(key).decrypt(blob[:NONCE], blob[NONCE:], context.encode())
    except (InvalidTag, ValueError):
        return None
    platform, _, user_id = plain.decode().partition(":")
    return platform, user_id


class Sealer:
    """The key, loaded at first use, and what is done with it.

    Owned by the app (bot.app) and lent through the runtime; nothing else
    reads the key.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._key: bytes | None = None
        self._tag_key: bytes | None = None

    @property
    def key(self) -> bytes:
        if self._key is None:
            self._key = load_key(self._settings)
        return self._key

    def seal(self, data: bytes, context: str) -> str:
        """`data` sealed for `context`, as URL-safe base64 text (fits a JSON column)."""
        nonce = secrets.token_bytes(NONCE)
        blob = nonce + AESGCM(self.key).encrypt(nonce, data, context.encode())
        return base64.urlsafe_b64encode(blob).decode()

    def open(self, token: str, context: str) -> bytes | None:
        """What `seal` sealed for this very context; None for another key or context."""
        try:
            blob = base64.urlsafe_b64decode(token)
            return AESGCM(self.key).decrypt(blob[:NONCE], blob[NONCE:], context.encode())
        except (InvalidTag, ValueError):
            return None

    def seal_json(self, value: Any, context: str) -> dict[str, str]:
        """A JSON value sealed, as the JSON object stored in its place."""
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        return {SEALED: self.seal(plain, context)}

    def open_json(self, stored: Any, context: str) -> Any:
        """A value `seal_json` stored, opened; a value stored in clear passes as it is.

        Raises Unreadable when it was sealed under another key or for
        another context.
        """
        if not is_sealed(stored):
            return stored
        plain = self.open(stored[SEALED], context)
        if plain is None:
            raise Unreadable(context)
        return json.loads(plain)

    def tag(self, text: str) -> str:
        """A keyed hash of `text`: equal texts give equal tags, and without the
        key nobody can tell which text a tag stands for (idempotency keys)."""
        if self._tag_key is None:
            self._tag_key = hmac.new(self.key, b"tongxin tag key", hashlib.sha256).digest()
        digest = hmac.new(self._tag_key, text.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()


SEALED = "sealed"


class Unreadable(Exception):
    """A sealed value that this key cannot open (the key was changed)."""


def is_sealed(stored: Any) -> bool:
    return isinstance(stored, dict) and set(stored) == {SEALED}
