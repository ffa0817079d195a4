"""Roster files as people have them: our columns, WeCom and DingTalk 通讯录 exports."""

from __future__ import annotations

import io

from openpyxl import Workbook

from bot.roles import Role
from bot.roster_file import parse_roster


def xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    return "\n".join(",".join(r) for r in rows).encode(encoding)


def test_our_columns_and_every_bad_line_in_the_files_own_words() -> None:
    parsed = parse_roster(
        csv_bytes(
            [
                ["姓名", "平台", "用户ID", "单位/支部", "角色"],
                ["王老师", "企业微信", "wang", "一支部", ""],
                ["", "wecom", "nobody", "一支部", ""],
                ["赵老师", "飞书", "zhao", "一支部", ""],
                ["钱书记", "dingtalk", "qian", "", "书记"],
                ["孙老师", "dingtalk", "sun", "二支部", "校长"],
                ["王老师", "wecom", "wang", "二支部", ""],
                ["李" * 65, "wecom", "li", "", ""],
            ]
        ),
        "roster.csv",
    )
    assert parsed.layout == "ours"
    # 王老师 is listed twice: which line is right? Neither goes in.
    assert parsed.rows == []
    assert [(e.line, e.reason) for e in parsed.errors] == [
        (2, "用户ID「wang」与第 7 行重复，均未导入"),
        (3, "姓名不能为空"),
        (4, "平台「飞书」不认识，应为 企业微信、钉钉 或 本地"),
        (5, "书记需要填写单位/支部"),
        (6, "角色「校长」不认识，应为 教师、书记 或 管理员"),
        (7, "用户ID「wang」与第 2 行重复，均未导入"),
        (8, "姓名超过 64 个字"),
    ]


def test_a_wecom_export_after_its_title_line() -> None:
    rows: list[list[object]] = [
        ["实验中学通讯录"],
        ["姓名", "帐号", "别名", "职务", "部门", "性别", "手机"],
        ["王老师", "WangLi", "", "教师", "实验中学/第一党支部;实验中学/教务处", "男", "138"],
        ["李书记", "LiMing", "", "书记", "实验中学/第二党支部", "女", "139"],
        ["周老师", "", "", "", "实验中学", "女", "137"],
    ]
    parsed = parse_roster(xlsx(rows), "通讯录.xlsx")
    assert parsed.layout == "wecom" and parsed.platform == "wecom"
    assert [(line, r.user_id, r.unit, r.role) for line, r in parsed.rows] == [
        (3, "WangLi", "第一党支部", Role.TEACHER),
        (4, "LiMing", "第二党支部", Role.TEACHER),  # 职务 grants nothing
    ]
    assert [(e.line, e.reason) for e in parsed.errors] == [(5, "帐号不能为空")]


def test_a_dingtalk_export_in_gbk_and_the_platform_chosen_on_the_page() -> None:
    rows = [
        ["姓名", "工号", "UserId", "部门", "职位", "手机"],
        ["张老师", "0012", "manager4521", "实验中学-第三党支部", "教师", "136"],
        ["刘老师", "0013", "0203641221", "第三党支部", "教师", "135"],
    ]
    parsed = parse_roster(csv_bytes(rows, "gb18030"), "export.csv")
    assert parsed.layout == "dingtalk" and parsed.platform == "dingtalk"
    assert [(r.user_id, r.unit) for _, r in parsed.rows] == [
        ("manager4521", "实验中学-第三党支部"),
        ("0203641221", "第三党支部"),
    ]
    # A plain sheet with no 平台 column: the page's choice decides, and without it the
    # header says what is missing.
    plain = csv_bytes([["姓名", "用户ID", "部门"], ["吴老师", "wu", "一支部"]])
    assert parse_roster(plain, "a.csv", "钉钉").rows[0][1].platform == "dingtalk"
    missing = parse_roster(plain, "a.csv")
    assert [(e.line, e.reason) for e in missing.errors] == [
        (1, "表头缺少列：平台（或在导入时选择平台）")
    ]
    assert [(e.line, e.reason) for e in parse_roster(b"\n\n", "b.csv").errors] == [
        (1, "文件是空的")
    ]
    headless = parse_roster(csv_bytes([["名字", "编号"], ["吴", "1"]]), "c.csv")
    assert [e.reason for e in headless.errors] == ["表头缺少列：姓名、用户ID"]
