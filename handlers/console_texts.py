"""What the /后台 command and chat download links say."""

NO_PUBLIC_URL = "后台地址尚未配置（TONGXIN_PUBLIC_URL），请联系管理员。"
DIRECT_ONLY = "为安全起见，登录链接只在私聊中发送。请私聊我发送「/后台」。"


def login_link(url: str) -> str:
    return f"后台登录链接（10 分钟内有效，仅限一次）：\n{url}\n请勿转发。"


def download_link(label: str, url: str) -> str:
    return f"{label}已生成，点击下载（10 分钟内有效，仅限一次）：\n{url}"
