"""Everything the 征求意见 and 意见箱 features say."""

from __future__ import annotations

# --- commands -----------------------------------------------------------------------

CMD_HELP = "征求意见：书记发起，大家私聊发送「/反馈」提意见"
NEW_HELP = "发起征求意见"
EXAMPLES_NEW = (
    "/征求意见 新建 2027年度支部工作计划 截止 12月5日17:00 匿名 https://example.com/plan.docx",
    "（要写说明，换行接着写；不写的：实名、本支部名册、24 小时后截止）",
    "大家可直接回复「无意见」，或发送「/反馈 意见内容」",
)
REMIND_HELP = "提醒尚未反馈的同志"
STATUS_HELP = "查看反馈情况"
SUGGEST_HELP = "意见箱：随时提建议，可匿名"
REPLY_HELP = "回复意见箱里的建言"

# --- opening a call -----------------------------------------------------------------

ASK_TITLE = "征求意见的标题是什么？例如「2027年度支部工作计划（征求意见稿）」。"
ASK_BODY = "请发送需要大家提意见的内容：稿件要点，或希望重点看的地方。"
ASK_LINK = "有原文链接吗？有请发送链接，没有请回复「无」。"
NO_LINK_WORDS = ("无", "没有", "不用", "none", "no")
BAD_LINK = "链接要以 http:// 或 https:// 开头；没有链接请回复「无」。"
ASK_DEADLINE = "反馈截止到什么时候？例如「12月5日17:00」或「下周五下午5点」。"
DEADLINE_TOO_SOON = "截止时间至少要在一小时以后，请留给大家时间反馈。"
ASK_AUDIENCE = "请哪些人反馈？"
AUDIENCE_ROSTER = "本支部名册上的全体同志"
AUDIENCE_GROUP = "本群里发过言的同志"
ROSTER_EMPTY = "您支部的名册上还没有人。请先导入名册，或在群里发起、请本群成员反馈。"
ASK_ANONYMOUS = "是否允许匿名反馈？"
ALLOW_ANONYMOUS = "允许匿名"
NAMED_ONLY = "仅限实名"
NO_UNIT_HERE = "请在所属支部的群里发起，或先请管理员把您设为某个支部的书记。"
ASK_UNIT = "为哪个支部发起？"

RULE = "逾期未反馈的，视为无意见。"


def call_preview(title: str, body: str, link: str, deadline: str, audience: str, anon: str) -> str:
    lines = [f"请确认：\n标题：{title}"]
    if body:
        lines.append(f"内容：{body}")
    if link:
        lines.append(f"原文：{link}")
    lines.append(f"截止：{deadline}\n范围：{audience}\n方式：{anon}")
    return "\n".join(lines)


def call_notice(call_id: int, title: str, body: str, link: str, deadline: str, anon: bool) -> str:
    lines = [f"【征求意见 #{call_id}】{title}"]
    if body:
        lines.append(body)
    if link:
        lines.append(f"原文：{link}")
    how = "可实名，也可匿名。" if anon else "请实名反馈。"
    lines.append(f"请于 {deadline} 前私聊我发送「/反馈」提出意见，{how}")
    lines.append(RULE)
    return "\n".join(lines)


def call_direct(call_id: int, title: str, body: str, link: str, deadline: str, anon: bool) -> str:
    lines = [f"【征求意见 #{call_id}】{title}"]
    if body:
        lines.append(body)
    if link:
        lines.append(f"原文：{link}")
    how = "可实名，也可匿名" if anon else "请实名反馈"
    lines.append(
        f"请于 {deadline} 前回复：没有意见直接回复「无意见」；"
        f"有意见发送「/反馈 意见内容」，或只发「/反馈」分几条写（{how}）。"
    )
    lines.append(RULE)
    return "\n".join(lines)


def published(call_id: int, people: int, deadline: str, held_until: str = "") -> str:
    told = f"{held_until} 私信通知大家（现在是休息时间）" if held_until else "已私信通知大家"
    return (
        f"已发布征求意见 #{call_id}，共 {people} 人参与，{deadline} 截止，{told}。"
        f"截止前一天我会提醒未反馈的同志，截止后把汇总发给您；"
        f"随时可发送「/征求意见 统计 {call_id}」查看。"
    )


# --- answering ----------------------------------------------------------------------

NOTHING_TO_ANSWER = "目前没有需要您反馈的征求意见。"
ANSWER_IN_DIRECT = "反馈意见请私聊我发送「/反馈」，不要在群里填写。"
PICK_CALL = "请选择要反馈的征求意见，回复序号："
ASK_ACTION = "您已提交过实名意见。要修改还是撤回？"
CHANGE = "修改意见"
WITHDRAW = "撤回意见"
ASK_NAMED = (
    "实名还是匿名提交？\n"
    "匿名：意见不带姓名保存，台账上您和实名反馈的同志一样只记「已反馈」；"
    "匿名反馈满 3 份才逐条显示，不足 3 份的截止后合并显示。"
    "实名反馈的同志会列出姓名，所以匿名反馈的人很少时，书记仍可能由此推断出是谁写的。"
    "匿名提交后不能修改或撤回。"
)
NAMED = "实名"
ANONYMOUS = "匿名"
NO_OPINION_BUTTON = "无意见"
WRITE_BUTTON = "写意见"
EMPTY_OPINION = "还没有写内容。请写下意见，写完发送「完成」。"
ANSWER_FLOW = "反馈意见"
NEW_FLOW = "发起征求意见"


def pick_label(call_id: int, title: str, deadline: str, answered: bool) -> str:
    mark = "（已实名反馈，可修改）" if answered else ""
    return f"#{call_id}「{title}」，{deadline}截止{mark}"


def ask_opinion(title: str, max_chars: int, max_messages: int) -> str:
    return (
        f"请写下您对「{title}」的意见，可以分几条发送，写完发送「完成」。"
        f"没有意见请直接回复「无意见」。（最多 {max_chars} 字、{max_messages} 条）"
    )


def kept(n: int, chars: int) -> str:
    return f"已记下第 {n} 条（共 {chars} 字）。继续发送，或发送「完成」。"


def too_long(limit: int, used: int, new: int) -> str:
    return (
        f"这条有 {new} 字，加上已写的 {used} 字超过了 {limit} 字的上限，这条没有记下；"
        "已写的内容都还在。请精简后再发，或发送「完成」提交已写的部分。"
    )


def too_many_messages(n: int) -> str:
    return f"一份意见最多 {n} 条消息，这条没有记下；已写的内容都还在。请发送「完成」提交。"


def not_in_audience(call_id: str) -> str:
    return f"您不在征求意见 #{call_id} 的反馈范围内。如有疑问，请联系支部书记。"


def not_open(call_id: str) -> str:
    return f"征求意见 #{call_id} 已截止或不存在。"


def already_anonymous(title: str) -> str:
    return f"您已匿名反馈过「{title}」。匿名意见提交后不能修改或撤回。"


def answer_preview(title: str, text: str, way: str) -> str:
    return f"请确认您对「{title}」的反馈（{way}）：\n——\n{text}\n——"


def withdraw_preview(title: str) -> str:
    return f"确认撤回您对「{title}」的意见吗？撤回后截止前还可以重新反馈。"


def receipt(title: str, code: str, anonymous: bool) -> str:
    if anonymous:
        return f"已收到您对「{title}」的匿名反馈，回执编号 {code}。"
    return f"已收到您对「{title}」的实名反馈，回执编号 {code}。截止前可发送「/反馈」修改或撤回。"


def withdrawn(title: str) -> str:
    return f"已撤回您对「{title}」的意见。截止前仍可重新反馈，逾期未反馈的视为无意见。"


def too_late(title: str) -> str:
    return f"「{title}」已截止，不能再提交、修改或撤回。"


# --- reminders, closing, summary ----------------------------------------------------

NO_OPEN_CALL = "没有进行中的征求意见。"
ALL_ANSWERED = "大家都已反馈，不用提醒。"


def unknown_call(ref: str) -> str:
    return f"没有找到您可以管理的征求意见 #{ref}。"


def remind_person(title: str, deadline: str) -> str:
    return (
        f"提醒：征求意见「{title}」将于 {deadline} 截止，您还没有反馈。"
        f"私聊我发送「/反馈」即可填写。{RULE}"
    )


def reminded(n: int, held_until: str = "") -> str:
    if held_until:
        return f"现在是休息时间，{held_until} 再私信提醒 {n} 位尚未反馈的同志。"
    return f"已私信提醒 {n} 位尚未反馈的同志。"


def nudge_group(title: str, deadline: str, pending: int) -> str:
    return (
        f"征求意见「{title}」将于 {deadline} 截止，还有 {pending} 人未反馈，"
        f"请私聊我发送「/反馈」。{RULE}"
    )


def closed_group(title: str, total: int, split: tuple[int, int] | None, silent: int) -> str:
    """`split`: (提出意见, 明确无意见), or None when it would tell what few anonymous wrote."""
    answered = (
        f"提出意见 {split[0]} 人，明确无意见 {split[1]} 人"
        if split is not None
        else f"已反馈 {total - silent} 人"
    )
    return (
        f"征求意见「{title}」已截止：应反馈 {total} 人，{answered}，"
        f"逾期未反馈视为无意见 {silent} 人。谢谢大家！"
    )


def summary_head(call_id: int, title: str, closed: bool, deadline: str) -> str:
    state = "已截止" if closed else f"进行中，{deadline}截止"
    return f"征求意见 #{call_id}「{title}」（{state}）"


def summary_counts(total: int, named: int, anon: int, none: int, silent: int, closed: bool) -> str:
    silent_label = "逾期未反馈视为无意见" if closed else "尚未反馈"
    return (
        f"应反馈 {total} 人：提出意见 {named + anon} 人（实名 {named}、匿名 {anon}），"
        f"明确无意见 {none} 人，{silent_label} {silent} 人。"
    )


def summary_counts_unsplit(
    total: int, named: int, named_none: int, anon: int, silent: int, closed: bool
) -> str:
    silent_label = "逾期未反馈视为无意见" if closed else "尚未反馈"
    return (
        f"应反馈 {total} 人：实名提出意见 {named} 人，实名明确无意见 {named_none} 人，"
        f"匿名反馈 {anon} 人，{silent_label} {silent} 人。"
    )


def anon_withheld(n: int, least: int) -> str:
    return (
        f"匿名反馈 {n} 份：满 {least} 份才逐条显示，以免推断出是谁写的；"
        f"不足 {least} 份的，截止后合并显示。"
    )


def anon_merged(n: int, least: int) -> str:
    return f"匿名反馈 {n} 份（不足 {least} 份，合并显示，不分条、不分有无意见）："


ANON_ALL_NONE = "（没有具体意见）"
SUMMARY_NAMED = "实名意见："
SUMMARY_ANON = "匿名意见："
SUMMARY_NONE = "明确无意见："
SUMMARY_SILENT_CLOSED = "视为无意见（逾期未反馈）："
SUMMARY_SILENT_OPEN = "尚未反馈："
SUMMARY_UNREACHED = "未能通知到、不计为无意见："


def anon_none(n: int) -> str:
    return f"另有匿名无意见 {n} 人"


def and_more_people(total: int) -> str:
    return f"等 {total} 人"


def more_opinions(n: int) -> str:
    return f"……另有 {n} 条，见导出表格"


def export_hint(call_id: int) -> str:
    return f"完整内容可下载：发送「/征求意见 导出 {call_id}」获取 Excel 下载链接。"


EXPORT_HELP = "导出征求意见台账（Excel 下载链接）"
LINK_SENT_DIRECT = "下载链接已私聊发给您。"


def export_label(title: str) -> str:
    return f"「{title}」征求意见台账"


def export_filename(call_id: int) -> str:
    return f"征求意见-{call_id}.xlsx"


# --- export -------------------------------------------------------------------------

SHEET_MEMBERS = "反馈情况"
SHEET_NAMED = "实名意见"
SHEET_ANON = "匿名意见"
HEADER_MEMBERS = ("序号", "姓名", "账号", "状态")
HEADER_NAMED = ("序号", "姓名", "账号", "意见内容", "提交时间", "回执编号")
HEADER_ANON = ("序号", "类型", "意见内容")
# Named and anonymous alike: the ledger does not say who chose 匿名.
STATUS_ANSWERED = "已反馈"
STATUS_SILENT = "逾期未反馈，视为无意见"
STATUS_UNREACHED = "未能通知到，不计为无意见"
STATUS_PENDING = "尚未反馈"
KIND_OPINION = "意见"
KIND_NONE = "无意见"

# --- 意见箱 --------------------------------------------------------------------------

SUGGEST_IN_DIRECT = "意见箱请私聊我使用：发送「/意见箱」。"
REPLY_IN_DIRECT = "回复建言请私聊我发送「/回复 编号 内容」。"
SUGGEST_NO_UNIT = "您还不在任何支部的名册上，意见箱暂时用不了。请联系支部书记。"
SUGGEST_ASK_UNIT = "向哪个支部提建议？"
SUGGEST_FLOW = "意见箱"
SUGGEST_ASK_NAMED = (
    "实名还是匿名？\n"
    "匿名：书记只看到内容和收到的日期，看不到您是谁；您的联系方式加密保存，"
    "只用来把书记的回复转给您，您也可以接着回复。内容里写到的具体情况，仍可能让人猜到是谁。"
)
REPLY_USAGE = "用法：/回复 编号 内容，例如「/回复 12 感谢建议，已安排」。"


def ask_suggestion(max_chars: int, max_messages: int) -> str:
    return (
        f"请写下您的意见或建议，可以分几条发送，写完发送「完成」。"
        f"（最多 {max_chars} 字、{max_messages} 条）"
    )


def suggestion_preview(unit: str, text: str, way: str) -> str:
    return f"请确认投入{unit}意见箱的建言（{way}）：\n——\n{text}\n——"


SUGGESTION_ON_ITS_WAY = "已收到，正在匿名投入意见箱，编号稍后私聊告诉您。"


def suggestion_received(sid: int) -> str:
    return (
        f"已投入意见箱，编号 #{sid}。书记回复后我会转给您；要补充，随时发送「/回复 {sid} 内容」。"
    )


def new_suggestion(sid: int, unit: str, text: str, author: str | None) -> str:
    who = f"实名：{author}" if author else "匿名"
    return f"{unit}意见箱收到新建言 #{sid}（{who}）：\n{text}\n回复请发送「/回复 {sid} 您的答复」。"


def relay_to_author(sid: int, text: str) -> str:
    return f"书记回复了您的建言 #{sid}：\n{text}\n要接着说，发送「/回复 {sid} 内容」。"


def relay_to_secretaries(sid: int, text: str, author: str | None) -> str:
    who = author or "匿名建言人"
    return f"建言 #{sid} 的{who}补充：\n{text}\n回复请发送「/回复 {sid} 内容」。"


def reply_sent(sid: int) -> str:
    return f"已转达（建言 #{sid}）。"


def unknown_suggestion(ref: str) -> str:
    return f"没有找到您可以回复的建言 #{ref}。"


def reply_too_long(limit: int, have: int) -> str:
    return f"回复最多 {limit} 字，这条有 {have} 字，没有转达。请精简后再发。"


LIST_HELP = "查看意见箱里最近的建言"
BOX_EMPTY = "意见箱里还没有建言。"
BOX_HEAD = "意见箱最近的建言："
BOX_FOOT = "回复请发送「/回复 编号 内容」。"


def box_line(sid: int, unit: str, month: int, day: int, author: str | None, replies: int) -> str:
    who = author or "匿名"
    thread = f"，往来 {replies} 条" if replies else "，暂无往来"
    return f"#{sid} {unit} {month}月{day}日（{who}{thread}）"


def box_excerpt(text: str) -> str:
    return "  " + (text if len(text) <= 60 else text[:60] + "……")


AUTHOR_UNREACHABLE = "这条匿名建言的联系方式已无法解开（密钥已更换），回复没能转达。"


# --- the console --------------------------------------------------------------

CALLS_TITLE = "征求意见"


CALLS_EMPTY = "暂时没有您可以查看的征求意见。"


CALLS_HEAD = ["编号", "标题", "状态", "截止", "已反馈/应反馈"]


OPEN = "进行中"


CLOSED = "已截止"


AUDIENCE = "应反馈"


OPINIONS = "提出意见"


NO_OPINION = "无意见"


SILENT_OPEN = "尚未反馈"


SILENT_CLOSED = "视为无意见"


NAMED_OPINIONS = "实名意见"


ANON_OPINIONS = "匿名意见"


ANON_NOTE = "匿名意见不显示作者，也不按提交先后排列。"


ANON_ANSWERS = "匿名反馈"


NONE_LIST = "无意见"


ANON_NONE = "匿名表示无意见"


NOBODY = "（无）"


DOWNLOAD = "下载 Excel 台账"


NAME = "姓名"


OPINION = "意见"


TIME = "提交时间"


BOX_TITLE = "意见箱"


PAGE_BOX_HEAD = ["编号", "支部", "收到", "建言人", "往来", "内容"]


BOX_FILE = "意见箱.xlsx"


BOX_DOWNLOAD = "下载 Excel"


AUTHOR = "建言人"


SECRETARY = "书记"


THREAD = "往来"


NO_THREAD = "暂无往来。"


REPLY = "回复"


REPLY_HINT = "回复会由机器人私聊转给建言人；匿名建言人的身份您看不到，也不会被记录。"


REPLY_BUTTON = "发送回复"


EMPTY_REPLY = "回复内容不能为空。"


UNREACHABLE = "这条匿名建言的联系方式已无法解开（密钥已更换），回复没能转达。"


def call_title(title: str, call_id: int) -> str:
    return f"{title}（编号 {call_id}）"


def suggestion_title(sid: int) -> str:
    return f"建言 #{sid}"


def replies(n: int) -> str:
    return f"{n} 条" if n else "—"


def page_reply_too_long(limit: int, have: int) -> str:
    return f"回复最多 {limit} 字，这条有 {have} 字，没有发送。"


# What `tongxin person export` shows a person of their own records.
CALLS = "征求意见"
CALLS_NOTE = "匿名反馈只记录您已反馈：意见不与您关联，无法导出。"
OPENED = "发起的征求意见"
SUGGESTIONS = "实名建言"
SUGGESTIONS_NOTE = "匿名建言不与您关联，不在此列。"
THREAD = "实名建言的往来"
ANSWERS = "以书记身份回复的建言"
OPEN_SEATS = "未截止征求意见中的待反馈名额"
SEATS = "征求意见名单记录"
OPINIONS = "实名意见"
OPENERS = "征求意见发起人"
K_TITLE = "事项"
K_DEADLINE = "截止时间"
K_STATUS = "反馈情况"
K_TEXT = "内容"
K_AT = "提交时间"
K_RECEIPT = "回执编号"
K_OPENED_AT = "发起时间"
K_NUMBER = "建言编号"
K_UNIT = "支部"
K_DAY = "日期"
K_FROM = "发言"
FROM_YOU = "您"
FROM_SECRETARY = "书记"
STATUS_ANON = "匿名反馈（内容不与您关联）"
STATUS_OPINION = "实名提出意见"
STATUS_NONE = "明确无意见"


# --- tongxin export feedback ---------------------------------------------------------

CLI_EXPORT_USAGE = "用法：tongxin export feedback 编号 [--out 文件.xlsx]"


def cli_no_call(call_id: int) -> str:
    return f"没有编号为 {call_id} 的征求意见。"


def cli_exported(path: str) -> str:
    return f"已导出到 {path}"
