"""The WeCom callback security chain: size, freshness, signature, decryption, in that order.

wechatpy parses the outer XML before it checks the signature and compares
signatures with `!=`; here the one signed field is lifted out of the raw bytes
by a strict pattern (no XML or JSON parser sees unauthenticated input), the
signature is compared in constant time, and only then does wechatpy decrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.exceptions import InvalidSignatureException

from bot.numbers import LONGEST, whole

# A text message is at most 2,048 bytes; its encrypted envelope stays far below this.
MAX_BODY = 64 * 1024
# WeCom signs its callbacks with the current time; like DingTalk's, one
# outside an hour of now is refused, so a captured request cannot be replayed
# later (the message-id dedup only remembers what was recorded).
MAX_SKEW_SECONDS = 3600

_B64 = rb"([A-Za-z0-9+/=]{1,60000})"
_XML_ENCRYPT = re.compile(
    rb"<Encrypt>\s*(?:<!\[CDATA\[" + _B64 + rb"\]\]>|" + _B64 + rb")\s*</Encrypt>"
)
_JSON_ENCRYPT = re.compile(rb'"encrypt"\s*:\s*"' + _B64 + rb'"')
# Any markup declaration but CDATA (DOCTYPE, ENTITY, comments): WeCom never sends one.
_DECLARATION = re.compile(rb"<!(?!\[CDATA\[)")


class Rejected(Exception):
    """The request is refused with `status`; `reason` is for the log, never the peer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Signed:
    """The query string of a callback: who signed what, when."""

    signature: str
    timestamp: str
    nonce: str

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Signed:
        sig, ts, nonce = (query.get(k, "") for k in ("msg_signature", "timestamp", "nonce"))
        if not (sig and ts and nonce):
            raise Rejected(400, "msg_signature, timestamp and nonce are required")
        return cls(sig, ts, nonce)


def check_fresh(signed: Signed, now: datetime) -> None:
    """Refuse a callback signed more than an hour before or after `now`."""
    sent = whole(signed.timestamp, hi=LONGEST)
    if sent is None:
        raise Rejected(400, "timestamp is not a number")
    if abs(now.timestamp() - sent) > MAX_SKEW_SECONDS:
        raise Rejected(403, "stale timestamp")


def signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()


@dataclass
class Receiver:
    """One callback URL's credentials: the app's (receive id = CorpID) or the AI bot's ("")."""

    token: str
    aes_key: str
    receive_id: str
    _crypto: WeChatCrypto = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._crypto = WeChatCrypto(self.token, self.aes_key, self.receive_id)

    def verify(self, signed: Signed, encrypt: str) -> None:
        expected = signature(self.token, signed.timestamp, signed.nonce, encrypt)
        if not hmac.compare_digest(expected.encode(), signed.signature.lower().encode()):
            raise Rejected(403, "bad signature")

    def decrypt(self, signed: Signed, encrypt: str) -> str:
        """Verify, then decrypt; the plaintext is authentic but not yet parsed."""
        self.verify(signed, encrypt)
        try:
            plain: str = self._crypto.decrypt_message(
                {"Encrypt": encrypt}, signed.signature.lower(), signed.timestamp, signed.nonce
            )
        except (InvalidCorpIdException, InvalidSignatureException) as err:
            raise Rejected(403, f"not for this receiver ({type(err).__name__})") from None
        except Exception as err:
            # Signed but undecryptable: bad base64, padding, length or UTF-8.
            raise Rejected(400, f"cannot decrypt ({type(err).__name__})") from None
        if _DECLARATION.search(plain.encode()):
            raise Rejected(400, "markup declaration in the payload")
        return plain

    def echo(self, signed: Signed, echostr: str) -> str:
        """URL verification: the decrypted echostr, to be answered verbatim."""
        if not echostr:
            raise Rejected(400, "echostr is required")
        return self.decrypt(signed, echostr)

    def encrypt(self, plaintext: str, nonce: str, timestamp: str) -> str:
        """The XML envelope WeCom would send (used by tests and benches)."""
        envelope: str = self._crypto.encrypt_message(plaintext, nonce, timestamp)
        return envelope


def read_envelope(raw: bytes, *, json_body: bool) -> str:
    """The signed `Encrypt` field of a callback body, found without parsing it."""
    if len(raw) > MAX_BODY:
        raise Rejected(413, "body too large")
    if _DECLARATION.search(raw):
        raise Rejected(400, "markup declaration in the body")
    found = (_JSON_ENCRYPT if json_body else _XML_ENCRYPT).findall(raw)
    if len(found) != 1:
        raise Rejected(400, "expected exactly one Encrypt field")
    match = found[0]
    value = match if isinstance(match, bytes) else b"".join(match)
    return value.decode("ascii")
