from tests.harness import ChatHarness


async def test_help_in_direct_chat(chat: ChatHarness) -> None:
    t = chat.user("t1", "王老师")
    await t.says("/帮助")
    t.hears("我能帮您做这些", "/我是谁")
