"""Sealing the address of an anonymous 意见箱 author.

The bot must relay a secretary's answer to an anonymous author, so it has to
know where to send it; yet no table or log may tie a suggestion to its
author. The address ("platform:user id") is therefore kept only encrypted
(AES-256-GCM, a fresh nonce each time, the suggestion id as associated data)
under a key that is never written to the database.

Threat model:
- Someone holding the database alone (a dump, a backup, a curious DBA, the
  secretary with an XLSX export) cannot tell who wrote an anonymous
  suggestion: the row holds ciphertext, a day rather than a moment, and no
  person id; every message the bot exchanged with the author about it is
  sent `sensitive`, so the outbox forgets body and recipient once delivered,
  and the inbound log keeps no text and no sender. On PostgreSQL, the
  transaction id each row carries is rewritten for anonymous rows by the
  `restamp` job (storage/feedback.py).
- The running server can relay, because it holds the key. Whoever controls
  the server and the key file together (an operator) could unseal an address;
  that is the price of a two-way relay, and the key is kept apart from the
  database so that the two must be taken together.
- Sizes and counts are not hidden: with a single anonymous answer to a call,
  the list of who answered anonymously names its author. Choosing 匿名 hides
  who wrote what among those who chose it.

The key comes from TONGXIN_SECRET_KEY (32 bytes, URL-safe base64). When it
is unset, a key file `tongxin-secret.key` is created at first use with mode
0600 next to the SQLite database, or in the working directory for
PostgreSQL. Losing the key only means old anonymous authors can no longer be
answered; it must not be copied with database backups.
"""

from __future__ import annotations

import base64
import os
import secrets

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
