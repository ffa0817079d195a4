"""What the console's 征求意见 and 意见箱 pages say."""

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
NONE_LIST = "无意见"
ANON_NONE = "匿名表示无意见"
NOBODY = "（无）"
DOWNLOAD = "下载 Excel 台账"
NAME = "姓名"
OPINION = "意见"
TIME = "提交时间"

BOX_TITLE = "意见箱"
BOX_EMPTY = "意见箱里还没有建言。"
BOX_HEAD = ["编号", "支部", "收到", "建言人", "往来", "内容"]
BOX_FILE = "意见箱.xlsx"
BOX_DOWNLOAD = "下载 Excel"
ANONYMOUS = "匿名"
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


def reply_too_long(limit: int, have: int) -> str:
    return f"回复最多 {limit} 字，这条有 {have} 字，没有发送。"


def reply_sent(sid: int) -> str:
    return f"已转达（建言 #{sid}）。"
