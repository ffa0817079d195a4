"""A small flow that exercises every kind of step, for the engine's own tests."""

from __future__ import annotations

from pydantic import BaseModel

from bot.args import Args
from bot.context import Context
from bot.conversation import Ask, Choose, Collect, Confirm, Flow, Invalid
from bot.feature import Feature
from bot.roles import Role
from handlers import FEATURES

feature = Feature("sample")
cmd = feature.command("survey", "调查", help="试用调查", role=Role.SECRETARY)
MODES = {"named": "实名", "anon": "匿名"}


class Survey(BaseModel):
    title: str = ""
    size: int | None = None
    mode: str = ""
    options: list[str] = []
    confirm: bool | None = None


def _number(ctx: Context, text: str, data: Survey) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 99:
        raise Invalid("请写 1–99 之间的数字。")
    return int(text)


def _preview(ctx: Context, data: Survey) -> str:
    options = "、".join(data.options)
    return f"主题：{data.title}；人数：{data.size}；方式：{MODES[data.mode]}；选项：{options}"


async def _done(ctx: Context, data: Survey) -> None:
    ctx.reply(f"已创建「{data.title}」")


survey = feature.flow(
    Flow(
        "sample.survey",
        "试用调查",
        Survey,
        steps=[
            Ask("title", "调查主题是什么？"),
            Ask("size", "预计多少人参加？", parse=_number),
            Choose("mode", "实名还是匿名？", MODES),
            Collect("options", "请逐条发送选项，发送「完成」结束。", min_items=2, max_items=5),
            Confirm("confirm", _preview),
        ],
        on_done=_done,
    )
)


@cmd.sub("new", "新建", help="新建试用调查")
async def new(ctx: Context, args: Args) -> None:
    # A title after the command answers the first question up front.
    await ctx.start(survey, Survey(title=args.text))


ALL = [*FEATURES, feature]
