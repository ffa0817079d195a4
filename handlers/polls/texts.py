"""Everything the polls feature says."""

from __future__ import annotations

HELP = "民意测验与民主测评"
HELP_NEW = "新建投票或民主测评"
EXAMPLES_NEW = (
    "/投票 新建 年度好党员推荐 张三 李四 王五 截止 周五17:00",
    "/投票 新建 支委候选人 甲 乙 丙 丁 多选 2 匿名",
    "/投票 新建 中层干部民主测评 赵主任 钱主任 测评 匿名",
    "/投票 新建 党课质量评分 评分 匿名 截止 明天17:00",
    "（不写的：单选、实名、截止后公布结果、本支部花名册投票、24 小时后截止）",
)
HELP_RESULTS = "查看投票结果（可加编号）"
HELP_REMIND = "提醒未投票的成员"
HELP_CLOSE = "提前结束投票"
HELP_EXPORT = "导出投票结果（Excel 下载链接）"

# --- creating ---------------------------------------------------------------------

FLOW_NEW = "新建投票"
FLOW_BALLOT = "投票"
ASK_TITLE = "投票主题是什么？例如「2026年度优秀党员推荐」。"
TITLE_TOO_LONG = "主题请控制在 60 字以内。"
ASK_KIND = "投票类型？"
KIND_SINGLE = "单选"
KIND_MULTI = "多选"
KIND_GRADE = "民主测评（逐个候选人评等次）"
KIND_RATING = "评分（1–5分）"
ASK_OPTIONS = "请发送选项，每行一个或每条一个，发送「完成」结束（2–30 项）。"
ASK_CANDIDATES = "请发送候选人姓名，每行一个或每条一个，发送「完成」结束（2–30 人）。"
OPTION_TOO_LONG = "每项请控制在 40 字以内。"
ASK_MAX = "每人最多可选几项？"
ASK_SCALE = "评价等次用哪一套？回复序号，或直接写出等次并用「/」分隔，例如「优秀/良好/一般」。"
SCALES = ["优秀/称职/基本称职/不称职", "满意/基本满意/不满意", "好/较好/一般/差"]
SCALE_HINT = "等次请写 2–6 个，用「/」分隔，例如「优秀/称职/基本称职/不称职」。"
ASK_ANON = "实名还是匿名？"
ANON = "匿名"
NAMED = "实名"
ASK_SHOW = "结果何时公布？"
ASK_SHOW_ANON = "结果何时公布？（匿名投票不实时公布：看票数变化就能推知某人的选择。）"
SHOW_LIVE = "实时公布"
SHOW_CLOSED = "截止后公布"
SHOW_CREATOR = "仅发起人可见"
ASK_DEADLINE = "截止时间？例如「明天17:00」「11月30日18:00」「3天后」。"
DEADLINE_TOO_SOON = "截止时间至少要在 10 分钟以后。"


def deadline_gone(deadline: str) -> str:
    return (
        f"截止时间（{deadline}）已经过去或不到 10 分钟，投票没有发布。"
        "请重新发起，写一个新的截止时间。"
    )


ASK_AUDIENCE = "谁来投票？"
IN_GROUP_ONLY = "请在要发起投票的群里发送「/投票 新建」。"
NO_AUDIENCE = "没有可以投票的成员：花名册为空，或还没有人在群里说过话。投票未发布。"

KIND_NAMES = {"single": "单选", "multi": "多选", "grade": "民主测评", "rating": "评分"}
SHOW_NAMES = {"live": SHOW_LIVE, "closed": SHOW_CLOSED, "creator": SHOW_CREATOR}


def max_hint(n: int) -> str:
    return f"请写 1–{n} 之间的数字。"


def preview(
    title: str, kind: str, lines: list[str], anon: bool, show: str, deadline: str, audience: str
) -> str:
    return "\n".join(
        [
            "请核对：",
            f"主题：{title}",
            f"类型：{kind}",
            *lines,
            f"方式：{'匿名（私聊作答，提交后不能修改）' if anon else '实名（截止前可修改）'}",
            f"结果：{show}",
            f"截止：{deadline}",
            f"投票人：{audience}",
        ]
    )


def unit_roster(name: str, n: int) -> str:
    return f"{name}花名册（{n} 人）"


def group_members(n: int) -> str:
    return f"本群说过话的成员（{n} 人）"


# --- publishing -------------------------------------------------------------------


def published(poll_id: int, n: int, held_until: str = "") -> str:
    if held_until:
        return f"投票已发布（编号 {poll_id}）。现在是休息时间，{held_until} 再私信 {n} 位成员。"
    return f"投票已发布（编号 {poll_id}），已私信 {n} 位成员。"


def announcement(
    poll_id: int, title: str, kind: str, body: list[str], anon: bool, deadline: str, how: str
) -> str:
    mode = "匿名" if anon else "实名"
    return "\n".join(
        [f"【{mode}{kind}】{title}（编号 {poll_id}）", *body, f"截止：{deadline}", how]
    )


HOW_ANON = "本次为匿名投票，请在与我的私聊中回复「投票」作答。"
HOW_NAMED = "在群里 @我 回复「投票 序号」即可，如「投票 1」；截止前可改。也可私聊我回复「投票」。"
HOW_NAMED_MULTI = "在群里 @我 回复「投票 序号」，多个用逗号隔开，如「投票 1,3」；截止前可改。"
HOW_NAMED_GRADE = "在群里 @我 回复「投票」逐个评定，或私聊我回复「投票」。"


def max_line(n: int) -> str:
    return f"（最多选 {n} 项）"


def options_line(options: list[str], candidates: bool) -> str:
    noun = "候选人" if candidates else "选项"
    return f"{noun}：" + "、".join(options)


def scale_line(scale: list[str]) -> str:
    return "等次：" + "、".join(f"{i}. {s}" for i, s in enumerate(scale, 1))


def rating_line(scale: list[str]) -> str:
    # "1分" is its own number: 「1. 1分」 would read as 1.1分.
    return "评分：" + "、".join(scale)


def ballot_invite(title: str, deadline: str, anon: bool) -> str:
    tail = (
        "匿名投票：只记您投过票，不记您选了什么，截止后只公布票数。"
        if anon
        else "实名投票，截止前可修改。"
    )
    return f"请参加投票「{title}」，截止 {deadline}。回复「投票」开始作答。{tail}"


# --- voting -----------------------------------------------------------------------

HOW_TO_VOTE = (
    "在群里发「投票」，我会列出选项；也可以直接发「投票 2」（选第 2 项）或「选张三」，"
    "多选写「投票 1，3」。同时有几项投票时写上编号：「投票 #12 2」。"
    "匿名投票请私聊我发「投票」。发起投票的写法请发「/帮助 投票」。"
)
NOTHING_PENDING = "您目前没有待投的投票。"
START_BALLOT = "开始投票"
ANON_ELSEWHERE = "本群还有匿名投票：匿名投票请在与我的私聊中回复「投票」作答。"
NO_OPEN_POLL = "本群当前没有进行中的投票。"
ASK_WHICH = "有几项投票在进行，您要投哪一项？请回复编号（也可带上选项，如「#2 1」）："
WHICH_HINT = "请回复投票的编号（如 #2）或主题。"
ASK_SINGLE = "请回复一个选项的序号："
ASK_RATING = "请打分："
VOTE_SAVED_ANON = "已收到您的匿名投票，谢谢参与。"


def ask_multi(options: list[str], most: int) -> str:
    lines = [f"请回复选项序号，最多 {most} 项，多个用逗号隔开（如「1,3」）："]
    return "\n".join(lines + [f"{i}. {o}" for i, o in enumerate(options, 1)])


def ask_grade(i: int, n: int, candidate: str) -> str:
    return f"（{i}/{n}）请评定：{candidate}"


def out_of_range(n: int) -> str:
    return f"没有这个选项：请回复 1–{n} 之间的序号。"


def too_many_choices(most: int) -> str:
    return f"最多只能选 {most} 项，请重新选择。"


NEED_A_NUMBER = "请回复选项前的序号，如「2」。"
DUPLICATE_CHOICE = "同一项不能选两次，请重新选择。"


def grade_count_hint(n: int) -> str:
    return f"请为 {n} 位候选人各写一个等次序号，用逗号隔开，或只回复「投票」逐个评定。"


def confirm_ballot(summary: list[str], anon: bool) -> str:
    warn = (
        "这是匿名投票：提交后不能修改，只记您投过票，不记您选了什么。"
        "投票的人很少时，票数本身仍可能让人推断出选择。"
        if anon
        else "实名投票，截止前可以修改。"
    )
    return "\n".join(["您的选择：", *summary, warn])


def vote_saved_named(title: str, summary: str, changed: bool) -> str:
    verb = "已改为" if changed else "已记录"
    return f"「{title}」{verb}：{summary}。截止前可再次投票修改。"


def already_voted(title: str) -> str:
    return f"您已经投过「{title}」了。匿名投票提交后不能修改。"


def closed(title: str) -> str:
    return f"「{title}」投票已截止，不能再投了。"


def not_in_audience(title: str) -> str:
    return f"您不在「{title}」的投票名单内。如有疑问请联系支部书记。"


def anon_in_group(title: str) -> str:
    return f"「{title}」是匿名投票，请在与我的私聊中回复「投票」作答，不要在群里说出选择。"


# --- results, reminders, closing --------------------------------------------------

NO_POLL = "没有找到这项投票。发送「/投票 结果 编号」指定编号。"
NOT_YOURS = "只有发起人或本支部书记可以这样做。"
ALREADY_CLOSED = "这项投票已经结束了。"
LINK_SENT_DIRECT = "下载链接已私聊发给您。"
NOBODY_TO_REMIND = "所有人都已投票，不需要提醒。"
RESULTS_DIRECT = "票数不在群里公布，已私聊发给您。"
BAR_FULL = "█"
BAR_EMPTY = "░"


def participation(voted: int, eligible: int, pct: float) -> str:
    return f"参与：{voted}/{eligible} 人（{pct:.0f}%）"


def results_header(title: str, poll_id: int, is_closed: bool) -> str:
    return f"**「{title}」投票结果**（编号 {poll_id}，{'已截止' if is_closed else '进行中'}）"


def option_line(i: int, label: str, bar: str, n: int, pct: float) -> str:
    return f"{i}. {label} `{bar}` {n}票 {pct:.0f}%"


def mean_line(mean: float) -> str:
    return f"平均分：{mean:.2f}"


def hidden(show: str, anon: bool) -> str:
    if show == "creator":
        return "结果仅发起人可见。"
    if anon:
        return "匿名投票的结果截止后公布。"
    return "结果截止后公布。"


def few_voters(voted: int, least: int) -> str:
    return f"（仅 {voted} 人投票，不足 {least} 人：票数可能让人推断出个人的选择。）"


def closed_notice(title: str) -> str:
    return f"「{title}」投票已截止。"


def closed_by(title: str) -> str:
    return f"已提前结束「{title}」。"


def reminder(title: str, deadline: str) -> str:
    return f"提醒：您还没有参加「{title}」投票，截止 {deadline}。请回复「投票」作答。"


def group_reminder(title: str, deadline: str, n: int) -> str:
    return f"「{title}」还有 {n} 人未投票，截止 {deadline}，请抓紧。"


def reminded(n: int, held_until: str = "") -> str:
    if held_until:
        return f"现在是休息时间，{held_until} 再提醒 {n} 位未投票的成员。"
    return f"已提醒 {n} 位未投票的成员。"


def export_done(path: str) -> str:
    return f"已导出到 {path}"


def export_no_poll(poll_id: int) -> str:
    return f"没有编号为 {poll_id} 的投票。"


EXPORT_USAGE = "用法：tongxin export poll 编号 [--out 文件.xlsx]"
EXPORT_SHEET = "结果"
EXPORT_NAMED_SHEET = "实名明细"
EXPORT_HEAD = ["候选人/项目", "选项", "票数", "占投票人比例"]
EXPORT_NAMED_HEAD = ["姓名", "用户ID", "选择"]


# --- the console --------------------------------------------------------------

LIST_TITLE = "投票结果"


LIST_EMPTY = "暂时没有您可以查看的投票。"


HEAD = ["编号", "主题", "类型", "方式", "状态", "参与", "截止"]


OPEN = "进行中"


CLOSED = "已截止"


ANONYMOUS = "匿名"


PARTICIPATION = "参与情况"


VOTED = "已投票"


ELIGIBLE = "应投票"


RATE = "参与率"


RESULTS = "结果"


GRID = "测评汇总（候选人 × 等次）"


CANDIDATE = "候选人"


MEAN = "平均分"


DOWNLOAD = "下载 Excel"


CLOSE_BUTTON = "立即结束投票"


CLOSE_CONFIRM = "我确认现在结束这项投票"


CLOSE_HINT = "结束后不能再投票，结果按原定规则公布到群里。"


ANON_NOTE = "匿名投票只显示票数，不记录、也不显示谁投了什么。"


PEOPLE = "人"


VOTES = "票"


def poll_title(title: str, poll_id: int) -> str:
    return f"{title}（编号 {poll_id}）"


def chart_title(label: str) -> str:
    return f"{label}的得票" if label else "各选项得票"


def export_label(title: str) -> str:
    return f"「{title}」投票结果"


def export_filename(poll_id: int) -> str:
    return f"投票结果-{poll_id}.xlsx"


# What `tongxin person export` shows a person of their own records.
POLLS = "投票"
POLLS_NOTE = "匿名投票只记录您是否已投：选择只计入总数，谁也无法知道哪一票是您的。"
CREATED = "发起的投票"
OPEN_SEATS = "未截止投票中的待投名额"
NAMED_VOTES = "实名选票"
VOTE_MARKS = "投票参与记录"
CREATORS = "投票发起人"
K_TITLE = "投票"
K_KIND = "类型"
K_WAY = "方式"
K_DEADLINE = "截止时间"
K_VOTED = "已投票"
K_CHOICE = "我的选择"
K_CREATED_AT = "发起时间"
ANON_CHOICE = "（匿名，不记录）"
