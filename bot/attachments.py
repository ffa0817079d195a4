"""Files sent as chat messages: a registered export, built when it is delivered.

An `Outgoing` carries an `Attachment` (export kind, parameters, who asked),
never the bytes: the outbox row stays small, and the file is built by the
adapter at delivery with the asker's roles and scope read again, exactly as
the console's download of the same export would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.console.auth import actor_of
from bot.console.view import Forbidden, NotFound
from bot.delivery import PermanentError
from bot.messages import Attachment

if TYPE_CHECKING:
    from bot.runtime import Runtime


async def build_attachment(rt: Runtime, attachment: Attachment) -> tuple[str, bytes]:
    """(file name, bytes) of the export; PermanentError when it can never be built.

    Never: an unknown export, an asker who is no longer a secretary or admin,
    or one whose scope no longer covers what they asked for (the exporter's
    Forbidden), or a record that is gone (NotFound).
    """
    kind = attachment.export
    exporter = next((f.exports[kind] for f in rt.router.features if kind in f.exports), None)
    if exporter is None:
        raise PermanentError(f"attachment: no export named {kind!r}")
    async with rt.db.reading() as session:
        actor = await actor_of(session, rt.settings, attachment.person_id)
        if actor is None:
            raise PermanentError(f"attachment {kind}: the asker may no longer export")
        try:
            return await exporter(
                session, actor, dict(attachment.params), rt.clock.now().astimezone(rt.settings.tz)
            )
        except Forbidden:
            raise PermanentError(f"attachment {kind}: outside the asker's scope") from None
        except NotFound:
            raise PermanentError(f"attachment {kind}: nothing to export any more") from None
