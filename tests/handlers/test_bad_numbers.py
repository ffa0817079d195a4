"""Numbers in chat that are not numbers the bot can use get a clear answer, not "出了点问题".

Chat text is folded (NFKC), so "²" and "２" arrive as "2"; what survives the
folding is a digit of another script that `int()` refuses ("᧚", New Tai Lue)
and ids longer than any row's, which neither database can look up.
"""

from __future__ import annotations

from bot.texts import INTERNAL_ERROR
from tests.harness import ChatHarness

TAI_LUE_ONE = "\u19da"
TOO_LONG = "9" * 20


async def test_numbers_that_are_not_ids_or_years_are_answered(chat: ChatHarness) -> None:
    admin = chat.user("adm", "王书记", role="admin")
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    said = [
        (sec, f"/投票 结果 {TAI_LUE_ONE}", "没有找到这项投票"),
        (sec, f"/投票 结果 {TOO_LONG}", "没有找到这项投票"),
        (sec, f"/签到 台账 {TAI_LUE_ONE * 4}", "年份请写 1901–2099 之间的 4 位数字"),
        (sec, f"/会议 删除 {TAI_LUE_ONE}", "请写会议编号"),
        (sec, f"/会议 删除 {TOO_LONG}", "请写会议编号"),
        (sec, f"/征求意见 统计 {TAI_LUE_ONE}", f"没有找到您可以管理的征求意见 #{TAI_LUE_ONE}"),
        (sec, f"/征求意见 统计 {TOO_LONG}", f"没有找到您可以管理的征求意见 #{TOO_LONG}"),
        (sec, f"/回复 {TOO_LONG} 谢谢您的建议", f"没有找到您可以回复的建言 #{TOO_LONG}"),
        (admin, f"/廉政日历 删除 {TAI_LUE_ONE}", "请写编号，例如：/廉政日历 删除 3"),
        (admin, f"/广播 状态 {TAI_LUE_ONE}", "用法：/广播 状态 [编号]"),
        (admin, f"/广播 状态 {TOO_LONG}", "用法：/广播 状态 [编号]"),
    ]
    for who, text, answer in said:
        reply = await who.says(text)
        assert INTERNAL_ERROR not in reply, (text, reply)
        assert answer in reply, (text, reply)
