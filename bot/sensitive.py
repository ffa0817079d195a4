"""What the engine seals on its way through the database, and opens where it is used.

Three kinds of rows would otherwise put a person beside what they chose or
wrote in private:

- an outbox row of a `sensitive` message (a ballot's echo, a receipt, a
  login or download link) while it waits, is retried or has failed: its
  recipient and body are sealed when the row is written and opened when the
  row is claimed for delivery; its idempotency key is a keyed hash, so it
  cannot be derived from the message it answers. Once delivered or given up,
  body and recipient are wiped (bot.outbox);
- the state of a `sensitive` flow (bot.conversation): its answers so far;
- an inbound message between its record and its handling (bot.ingest).

Sealing is bot.seal's: AES-256-GCM under the key kept outside the database.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.delivery import Delivery
from bot.messages import Incoming
from bot.seal import SEALED, Sealer, Unreadable, is_sealed

# A sealed row that this key cannot open: the outbox gives it up.
UNREADABLE = "unreadable"
_INBOUND = "inbound"


def _outbox_context(key: str) -> str:
    return f"outbox:{key}"


def seal_outbox_row(sealer: Sealer, row: dict[str, Any]) -> dict[str, Any]:
    """A sensitive message's outbox row (as bot.outbox builds it), sealed."""
    key = "s:" + sealer.tag(row["idempotency_key"])
    sealed = {**row, "idempotency_key": key, "chat_id": ""}
    if not row["body"].get("purged"):
        clear = {"chat_id": row["chat_id"], "body": row["body"]}
        sealed["body"] = sealer.seal_json(clear, _outbox_context(key))
    return sealed


def open_delivery(sealer: Sealer | None, d: Delivery) -> Delivery:
    """A claimed row as the adapter must see it: a sealed one opened.

    One that cannot be opened (another key, or an outbox with none) is
    marked UNREADABLE, for the outbox to give up.
    """
    if not is_sealed(d.body):
        return d
    try:
        if sealer is None:
            raise Unreadable(d.key)
        clear = sealer.open_json(d.body, _outbox_context(d.key))
    except Unreadable:
        return replace(d, body={"text": "", "sensitive": True, UNREADABLE: True})
    return replace(d, chat_id=clear["chat_id"], body=clear["body"])


def seal_payload(sealer: Sealer, incoming: Incoming) -> str:
    """An inbound message as the JSON text its row keeps until it is handled."""
    token = sealer.seal(incoming.model_dump_json().encode(), _INBOUND)
    return f'{{"{SEALED}":"{token}"}}'


def open_payload(sealer: Sealer, payload: Any) -> Incoming | None:
    """The message a row's payload holds (one recorded in clear by an older
    version too); None when it was sealed under another key."""
    if not is_sealed(payload):
        return Incoming.model_validate(payload)
    plain = sealer.open(payload[SEALED], _INBOUND)
    return None if plain is None else Incoming.model_validate_json(plain)


def state_context(platform: str, chat_id: str, user_id: str) -> str:
    return f"flow:{platform}:{chat_id}:{user_id}"
