"""Everything the check-in feature says."""

from __future__ import annotations

from collections.abc import Sequence

HELP = "会议签到、请假与台账"
HELP_START = "发起签到"
HELP_LEAVE = "请假（写明原因）"
HELP_STATUS = "查看应到、实到、请假与未到"
HELP_REMIND = "提醒未签到的人"
HELP_CLOSE = "结束签到并公布结果"
HELP_LEDGER = "查看全年签到台账并生成表格"
HELP_MARK = "为某人补签，如「/签到 补签 @孙悦」"
HELP_UNDO = "撤销某人的签到（/签到 撤销 @孙悦），或撤销整次误发的签到"
HELP_DELETE = "删除误发的签到（台账中也不再保留）"
EXAMPLES_START = (
    "/签到 发起 主题党日（默认 30 分钟后截止）",
    "/签到 发起 支部党员大会 截止 15:30 地点 三楼会议室 主持人 李书记 记录人 王老师 议题 学习党章",
    "/签到 发起 党课 截止 16:00 签到码 允许迟到",
)
EXAMPLES_SECRETARY = (
    "/签到 补签 @孙悦",
    "/签到 请假 @张丽 病假",
    "/签到 撤销 @孙悦",
)
FLOW_START = "发起签到"
ASK_TITLE = "签到的会议名称是什么？例如「主题党日」「支部党员大会」。"
ASK_DEADLINE = "签到截止时间？例如「15:30」「30分钟后」「明天9点」。"
DEADLINE_NEEDS_TIME = "请写到几点几分，例如「15:30」。"
TITLE_TOO_LONG = "会议名称请控制在 30 个字以内。"
CODE_FORMAT = "签到码是 4 位数字，例如「签到码 2468」；只写「签到码」则由我生成。"
GROUP_ONLY = "签到要在会议所在的群里发起：请在群里 @我 发送「/签到 发起」。"
NO_CHECKIN = "本群现在没有进行中的签到。"
NO_MEETING_PLANNED = "本群还没有安排会议，书记发起签到后再发「签到」即可。"
# The buttons of an open check-in: (label, the message a tap sends).
TAPS = (("签到", "签到"), ("请假", "请假"))
CHECKIN_IN_GROUP = "签到请在会议所在的群里 @我 发送「签到」。"
LEAVE_NOTED = "已记下您的请假，原因已转给书记。"


def leave_noted_for(title: str) -> str:
    return f"已记下您「{title}」的请假，原因已转给书记。"


FLOW_LEAVE = "请假"
ASK_REASON = "请假原因是什么？例如「外出培训」「孩子生病」。"
LEAVE_AHEAD_HOW = "要为之后的会议请假，请发送「请假 会议 原因」，例如「请假 周五的支委会 出差」。"
FLOW_DELETE = "删除签到"
NOT_YOURS = "只有发起人或本支部书记可以改动这次签到。"
WHO_NEEDED = "请 @ 要处理的人，例如「/签到 补签 @孙悦」。"
LEAVE_FOR_NEEDS_REASON = "请写明原因，例如「/签到 请假 @张丽 病假」。"
LEAVE_FOR_OTHERS = "只有书记可以替别人请假。您自己请假请发送「请假 原因」。"
REASONS_DIRECT = "请假原因已私聊发给您。"
NO_CHECKIN_EVER = "本群还没有发起过签到。"
STATUS_IN_GROUP = "请在签到所在的群里发送「/签到 统计」；全年汇总请发送「/签到 台账」。"
CODE_NEEDED = "本次签到需要签到码，请发送「签到 四位签到码」（签到码请看会场公布）。"
CODE_WRONG = "签到码不对，未记录。请核对会场公布的签到码后重发。"
LEAVE_AFTER_ATTEND = "您已签到，无需请假。"
NOT_ON_ROSTER = "您不在本次签到的应到名单中，已单独记录。如有出入请联系书记。"
NOBODY_MISSING = "应到人员都已签到或请假，无需提醒。"
LEDGER_UNIT_NEEDED = "请写明支部，例如「/签到 台账 2026 第一党支部」。"
LEDGER_YEAR = "年份请写 1901–2099 之间的 4 位数字，例如「/签到 台账 2026」。"
CLI_YEAR = "--year 请写 1901–2099 之间的 4 位数字，例如 --year 2026。"


def cli_no_unit(name: str) -> str:
    return f"没有「{name}」这个单位（按花名册里的单位名称写）。"


LEDGER_NOT_YOURS = "您不是该支部的书记，不能查看它的台账。"
GROUP_FALLBACK = "（本群未绑定支部，应到按在本群发过言的人计算。）"

STATUS_ZH = {"present": "出席", "late": "迟到", "leave": "请假", "": "缺席"}
MAX_NAMES = 30


def names(people: Sequence[str], limit: int = MAX_NAMES) -> str:
    shown = "、".join(people[:limit])
    return f"{shown} 等 {len(people)} 人" if len(people) > limit else shown


def already_open(title: str) -> str:
    return f"本群已有进行中的签到「{title}」，请先发送「/签到 结束」。"


def next_meeting(title: str, when: str) -> str:
    return f"下次会议：「{title}」{when}，开始时我会在群里发起签到。"


def unknown_word(word: str) -> str:
    return (
        f"「/签到 {word}」不是签到命令，没有为您签到。"
        "签到请发送「签到」；书记的命令请发送「/签到 帮助」查看。"
    )


def opened(
    title: str,
    deadline: str,
    expected: int,
    *,
    code: bool,
    late_until: str | None,
    fallback: bool,
    present: int = 0,
    on_leave: int = 0,
    default_deadline: bool = False,
) -> str:
    how = "请 @我 发送「签到」或「到」" if not code else "请 @我 发送「签到 签到码」"
    already = []
    if present:
        already.append("发起人已签到")
    if on_leave:
        already.append(f"会前请假 {on_leave} 人")
    tail = f"（{'，'.join(already)}）" if already else ""
    until = f"截止 {deadline}{'（默认 30 分钟）' if default_deadline else ''}"
    lines = [
        f"「{title}」开始签到，{until}，应到 {expected} 人{tail}。",
        f"{how}；不能参加的发送「请假 原因」。",
    ]
    if late_until:
        lines.append(f"截止后到 {late_until} 仍可签到，记为迟到。")
    if fallback:
        lines.append(GROUP_FALLBACK)
    return "\n".join(lines)


def code_for_secretary(title: str, code: str) -> str:
    return f"「{title}」的签到码是 {code}，请在会场公布，不要发到群里。"


def already_answered(status: str, at: str) -> str:
    if status == "leave":
        return f"您已请假（{at}）。"
    return f"已签到（{at}{'，迟到' if status == 'late' else ''}），无需重复。"


def checked_in_late(at: str) -> str:
    return f"已签到（{at}），记为迟到。"


def too_late(title: str, deadline: str) -> str:
    return f"「{title}」签到已于 {deadline} 截止，未记录。如有需要请联系书记。"


def closed_already(title: str, at: str) -> str:
    return f"「{title}」签到已于 {at} 结束。"


def ahead_noted(title: str, when: str) -> str:
    return f"已登记您「{title}」（{when}）的请假，签到开始时记为请假，原因已转给书记。"


def ahead_needs_reason(title: str, when: str) -> str:
    return f"要为「{title}」（{when}）请假，请写明原因，例如「请假 {title} 出差」。"


def marked(names: Sequence[str], title: str) -> str:
    return f"已为 {'、'.join(names)} 补签「{title}」。"


def left_for(names: Sequence[str], title: str, reason: str) -> str:
    return f"已为 {'、'.join(names)} 记下「{title}」的请假：{reason}。"


def undone(names: Sequence[str], title: str) -> str:
    return f"已撤销 {'、'.join(names)} 在「{title}」的签到记录。"


def unknown_people(names: Sequence[str]) -> str:
    return f"没找到 {'、'.join('@' + n for n in names)}（或有同名的人），请在群里直接 @ 他。"


def delete_preview(title: str, opened: str, attended: int) -> str:
    return (
        f"删除「{title}」（{opened} 发起，已签到 {attended} 人）？"
        "删除后这次签到从台账中去掉，不能恢复。"
    )


def deleted(title: str) -> str:
    return f"已删除「{title}」，台账中不再有这次签到。"


def progress(title: str, attended: int, expected: int, leave: int, recent: Sequence[str]) -> str:
    line = f"「{title}」已签到 {attended}/{expected}"
    if leave:
        line += f"，请假 {leave}"
    if recent:
        line += f"（新到：{names(recent, 10)}）"
    return line


def summary(
    title: str,
    expected: int,
    attended: int,
    late: int,
    leave: int,
    missing: int,
) -> str:
    late_part = f"（迟到 {late}）" if late else ""
    return f"「{title}」应到 {expected}，实到 {attended}{late_part}，请假 {leave}，未到 {missing}。"


def status_report(
    head: str,
    leaves: Sequence[str],
    missing: Sequence[str],
    outsiders: Sequence[str],
    *,
    closed: bool,
) -> str:
    lines = [head]
    if leaves:
        lines.append("请假：" + names(leaves))
    if missing:
        lines.append(("缺席：" if closed else "未到：") + names(missing))
    if outsiders:
        lines.append("名单外签到：" + names(outsiders))
    return "\n".join(lines)


def final(head: str) -> str:
    return f"签到结束。{head}"


def remind(title: str, missing: Sequence[str], deadline: str) -> str:
    return f"「{title}」还有 {len(missing)} 人未签到，截止 {deadline}：{names(missing)}"


def remind_too_soon(at: str) -> str:
    return f"{at} 刚提醒过，5 分钟内不再重复提醒。"


def ledger_empty(unit: str, year: int) -> str:
    return f"{unit} {year} 年还没有签到记录。"


def ledger_line(day: str, title: str, expected: int, attended: int, late: int, leave: int) -> str:
    late_part = f"（迟到 {late}）" if late else ""
    absent = expected - attended - leave
    return (
        f"{day} {title}：应到 {expected}，实到 {attended}{late_part}，请假 {leave}，缺席 {absent}"
    )


def ledger_head(unit: str, year: int, n: int) -> str:
    return f"{unit} {year} 年签到台账，共 {n} 次会议："


LEDGER_LINK_DIRECT = "台账表格的下载链接已私聊发给您。"


def ledger_label(unit: str, year: int) -> str:
    return f"{unit} {year} 年签到台账"


def ledger_file(path: str) -> str:
    return f"台账表格已生成：{path}"


def unknown_unit(name: str) -> str:
    return f"没有「{name}」这个支部。"


# --- the console --------------------------------------------------------------

TITLE = "签到台账"


NO_UNITS = "您还没有可以查看的支部。"


EMPTY = "这一年还没有签到记录。"


MEETINGS = "会议"


LEDGER = "个人出勤"


MEETINGS_HEAD = ["日期", "时间", "会议", "应到", "实到", "迟到", "请假", "未到"]


DOWNLOAD = "下载 Excel 台账"


PREV_YEAR = "上一年"


NEXT_YEAR = "下一年"


EXPECTED = "应到"


ATTENDED = "实到"


LATE = "迟到"


LEAVE = "请假"


ABSENT = "未到"


OUTSIDERS = "名单外签到"


NOBODY = "（无）"


OPEN = "签到进行中"


CLOSED = "签到已结束"


CHART = "出勤情况"


PEOPLE = "人"


def heading(unit: str, year: int) -> str:
    return f"{unit} {year} 年签到台账"


def meeting_title(title: str, day: str) -> str:
    return f"{title}（{day}）"


def export_label(unit: str, year: int) -> str:
    return f"{unit} {year} 年签到台账"


def with_reason(name: str, reason: str) -> str:
    return f"{name}（{reason}）" if reason else name


# --- the ledger's workbook -------------------------------------------------------------

SHEET_MEETINGS = "会议"
SHEET_PEOPLE = "个人出勤"
RATE_COLUMN = "出席率"
HEADER_MEETINGS = (
    "日期",
    "时间",
    "会议",
    "应到",
    "实到",
    "迟到",
    "请假",
    "缺席",
    RATE_COLUMN,
    "名单外",
    "请假人员",
    "缺席人员",
    "地点",
    "主持人",
    "记录人",
    "议题",
)
HEADER_PEOPLE = ("姓名", "用户ID", "应到", "出席", "迟到", "请假", "缺席")


def outsider_mark(status: str) -> str:
    """A person's mark at a meeting whose roster did not name them: 名单外出席."""
    return f"名单外{status}"


def ledger_filename(unit: str, year: int) -> str:
    return f"签到台账-{unit}-{year}.xlsx"


# What `tongxin person export` shows a person of their own records.
ENTRIES = "签到记录"
OPENED = "发起的签到"
OPEN_SEATS = "未结束签到中的待签名额"
REASONS = "请假理由"
OPENERS = "签到发起人"
K_TITLE = "签到"
K_OPENED_AT = "发起时间"
K_EXPECTED = "在应到名单中"
K_RESULT = "结果"
K_REASON = "请假理由"
K_AT = "签到时间"
NOT_YET = "尚未签到"

# What `tongxin person export` shows of leave asked ahead and of the check-ins
# that name the person as 主持人 or 记录人, and its erasure's summary.
AHEAD = "会前请假"
AHEAD_MEETING = "会议"
AHEAD_DAY = "会议日期"
AHEAD_REASON = "请假理由"
AHEAD_AT = "登记时间"
AHEAD_NOTE = "会议开始签到时，会前请假记入该次签到（见「签到记录」）。"
NAMED = "署名为主持人或记录人的签到"
NAMED_CHECKIN = "签到"
NAMED_OPENED_AT = "发起时间"
NAMED_AS = "署名"
AS_HOST = "主持人"
AS_RECORDER = "记录人"
NAMED_NOTE = "主持人、记录人是发起签到时填写的文字，同名的人也会列在这里。"
NAMED_ERASED = "签到的主持人、记录人署名"
