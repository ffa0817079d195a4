"""What the console's poll pages say."""

LIST_TITLE = "投票结果"
LIST_EMPTY = "暂时没有您可以查看的投票。"
HEAD = ["编号", "主题", "类型", "方式", "状态", "参与", "截止"]
OPEN = "进行中"
CLOSED = "已截止"
ANONYMOUS = "匿名"
NAMED = "实名"
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
