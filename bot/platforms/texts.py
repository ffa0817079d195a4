"""What the platform adapters themselves say: to people, and to admins about the set-up."""

from __future__ import annotations

# A reply longer than one WeCom AI-bot response can carry.
REST_FOLLOWS = "（内容较长，余下部分紧接着发出。）"
REST_IN_CONSOLE = "（内容较长，这里只列出前面一部分，完整内容请到管理后台查看。）"

# Set-up problems, told to admins once and shown on /healthz. Each says what
# happened, that nothing is lost, and how to fix it.
KEPT = "要发出的消息已暂存，改好后 15 分钟内自动补发。"


def alert(advice: str) -> str:
    return f"【同心 设置问题】{advice}"


def wecom_bad_secret(errcode: int) -> str:
    return (
        f"企业微信不认这个应用 Secret（错误码 {errcode}），发往企业微信的通知发不出去。"
        "请到企业微信管理后台「应用管理 → 自建应用」打开同心，查看 Secret，"
        f"填入 TONGXIN_WECOM_SECRET 后重启服务。{KEPT}"
    )


def wecom_bad_corp_id(errcode: int) -> str:
    return (
        f"企业微信不认这个企业 ID（错误码 {errcode}），发往企业微信的通知发不出去。"
        "请到企业微信管理后台「我的企业 → 企业信息」最下方复制企业 ID，"
        f"填入 TONGXIN_WECOM_CORP_ID 后重启服务。{KEPT}"
    )


def wecom_ip_not_trusted(ip: str) -> str:
    where = f"本服务器的出口 IP {ip}" if ip else "本服务器的出口 IP"
    return (
        f"{where} 不在企业微信应用的「企业可信IP」里（错误码 60020），发往企业微信的通知发不出去。"
        "请到企业微信管理后台「应用管理 → 自建应用」打开同心，在「企业可信IP」中加上这个 IP。"
        f"{KEPT}"
    )


DINGTALK_BAD_CREDENTIALS = (
    "钉钉不认这个应用的 Client ID（AppKey）或 Client Secret（AppSecret），"
    "发往钉钉的通知发不出去。请到钉钉开发者后台打开同心这个企业内部应用，"
    "在「凭证与基础信息」中核对，填入 TONGXIN_DINGTALK_APP_KEY 和 TONGXIN_DINGTALK_APP_SECRET "
    f"后重启服务。{KEPT}"
)
DINGTALK_IP_NOT_ALLOWED = (
    "本服务器的出口 IP 不在钉钉应用的服务器出口 IP 白名单里，发往钉钉的通知发不出去。"
    "请到钉钉开发者后台打开同心这个应用，在「开发配置 → 安全设置」中加上本服务器的出口 IP。"
    f"{KEPT}"
)
DINGTALK_QUOTA_SPENT = (
    "本月钉钉接口的调用次数已经用完（标准版组织每月有上限），机器人主动发出的提醒、广播和私聊通知"
    "暂存到下月 1 日额度恢复后补发；在群里 @机器人 得到的回复不受影响。"
    "如需马上恢复，请联系钉钉升级专业版或购买调用量扩容。"
)


def dingtalk_quota_low(quota: int) -> str:
    return (
        f"本月同心调用钉钉接口的次数已超过每月额度（{quota} 次）的八成。"
        "额度用完后，机器人主动发出的提醒、广播和私聊通知要暂存到下月 1 日才能补发；"
        "在群里 @机器人 得到的回复不受影响。"
        "同一组织的其他钉钉应用也占用这份额度，实际用量请到钉钉开发者后台「资源管理」查看用量明细。"
        "需要时请联系钉钉升级专业版或购买调用量扩容；本组织额度不是这个数时，"
        "请改 TONGXIN_DINGTALK_MONTHLY_QUOTA 后重启服务。"
    )
