"""What the console's reminders page says."""

TITLE = "提醒日程"
INTRO = "各群未来 60 天内将发出的会议提醒和廉政提醒。"
NO_GROUPS = "您还没有可以查看的群。"
NOTHING = "未来 60 天没有安排提醒。"
HEAD = ["提醒时间", "类型", "事项", "活动时间"]
GROUP = "群"
FILE = "提醒日程.xlsx"
DOWNLOAD = "下载 Excel"


def group_label(title: str, chat_id: str, unit: str) -> str:
    name = title or chat_id
    return f"{name}（{unit}）" if unit else name
