"""Text normalisation and argument parsing: what people type, as the router sees it."""

from __future__ import annotations

import pytest

from bot.args import parse_args, tokenize
from bot.config import load_settings
from bot.messages import normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("／签到　发起", "/签到 发起"),
        ("@同心助手 签到", "签到"),
        ("@同心助手\u2005签到", "签到"),
        ("  投票 １，３ ", "投票 1,3"),
        ("/签到 发起 主题党日 截止 １５：３０", "/签到 发起 主题党日 截止 15:30"),
        ("（家中有事）", "(家中有事)"),
        ("甲\n\n  乙  \n丙", "甲\n乙\n丙"),
        ("投票 1、3", "投票 1,3"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_normalize_known_bot_name_with_space() -> None:
    assert normalize_text("@党务 助手 签到", bot_names=("党务 助手",)) == "签到"


NAMES = ("同心", "同心 助手")


@pytest.mark.parametrize(
    ("raw", "names", "expected"),
    [
        # A colleague mentioned first, then the bot.
        ("@张三 @同心 /帮助", NAMES, "/帮助"),
        ("@张三 @同心 /帮助", (), "/帮助"),
        ("@张三\u2005@同心\u2005/帮助", NAMES, "/帮助"),
        # No space between the name and the keyword.
        ("@同心签到", NAMES, "签到"),
        ("＠同心签到", NAMES, "签到"),
        ("@同心请假 家中有事", NAMES, "请假 家中有事"),
        # A name with a space, and the longest name wins.
        ("@同心 助手 /帮助", NAMES, "/帮助"),
        ("@同心 助手签到", NAMES, "签到"),
        # DingTalk strips its own mention: another one may be left in front.
        (" @张三  /帮助", (), "/帮助"),
        ("@张三 @李四 投票 1,3", (), "投票 1,3"),
        # Mentions after the command are its arguments.
        ("@同心 /授权 @张三 书记", NAMES, "/授权 @张三 书记"),
        ("@同心", NAMES, ""),
    ],
)
def test_leading_mentions_address_the_message(
    raw: str, names: tuple[str, ...], expected: str
) -> None:
    assert normalize_text(raw, names) == expected


def test_tokenize_quotes() -> None:
    assert tokenize('"主题 党日" “第二 次” 「三」 四') == ["主题 党日", "第二 次", "三", "四"]


def test_parse_english_and_chinese_options_alike() -> None:
    en = parse_args('"主题党日" --until 15:30', {"截止": "until"})
    zh = parse_args("主题党日 截止 15:30", {"截止": "until"})
    glued = parse_args("主题党日 截止15:30", {"截止": "until"})
    for args in (en, zh, glued):
        assert args.positional == ["主题党日"]
        assert args.get("until") == "15:30"


def test_option_value_keeps_spaces_and_flags_without_value() -> None:
    args = parse_args("学习会 截止 明天 下午3点 --code", {"截止": "until"})
    assert args.get("until") == "明天 下午3点"
    assert args.get("code") == "true"
    assert parse_args("--until=17:00").get("until") == "17:00"


def test_bot_names_setting_is_a_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TONGXIN_BOT_NAMES", "@同心，同心 助手, ")
    assert load_settings().bot_names == ["同心", "同心 助手"]
    monkeypatch.delenv("TONGXIN_BOT_NAMES")
    assert load_settings().bot_names == []
