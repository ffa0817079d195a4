"""A whole feature in one folder: the worked example of docs/ARCHITECTURE.md.

/便签 记 … keeps a note for its writer, /便签 lists them. Its table is in
models.py, its migration in migrations/versions/, every sentence in texts.py.
Adding it to the bot is one line: `FEATURES = [..., notes.feature]`.
"""

from __future__ import annotations

from bot.args import Args
from bot.context import Context
from bot.feature import Feature
from tests.bot.notes import models
from tests.bot.notes import texts as t

feature = Feature("notes", __name__, models=(models,))
notes = feature.command("notes", "便签", help=t.HELP)


@notes.sub("add", "记", help=t.HELP_ADD)
async def add(ctx: Context, args: Args) -> None:
    if not args.text:
        ctx.reply(t.EMPTY)
        return
    ctx.session.add(models.Note(person_id=ctx.actor.person_id, text=args.text, at=ctx.now))
    ctx.reply(t.KEPT)


@notes.bare()
async def show(ctx: Context, args: Args) -> None:
    mine = await models.notes_of(ctx.session, ctx.actor.person_id)
    ctx.reply(t.listing([n.text for n in mine]) if mine else t.NONE)


from tests.bot.notes import person_data  # noqa: E402, F401  (registers its hook)
