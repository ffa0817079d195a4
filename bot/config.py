"""Settings from TONGXIN_* environment variables and an optional .env file."""

from __future__ import annotations

import base64
import ipaddress
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

PLATFORMS = ("wecom", "dingtalk", "local")
SECRET_KEY_FILE = "tongxin-secret.key"


class ConfigError(Exception):
    """A setting is wrong; the message is one line naming the variable."""


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.replace("，", ",").split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TONGXIN_", env_file=".env", extra="ignore", validate_default=True
    )

    database_url: str = "sqlite+aiosqlite:///./tongxin.db"
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    timezone: str = "Asia/Shanghai"
    admins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    local_channel: bool | None = None
    public_url: str = ""

    # Handling workers per process (PostgreSQL; SQLite has one writer). Each
    # handles what waits in its queue as one batch. One is measured best on
    # these 2-core machines (docs/BENCHMARKS.md): the event loop is the limit,
    # and more workers only make smaller batches that wait on each other's
    # row locks. Scale out with more replicas instead.
    workers: int = Field(1, ge=1, le=256)
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # A guided conversation left alone this long is closed with a notice.
    conversation_timeout_minutes: int = Field(30, ge=1, le=24 * 60)
    # Seals the addresses of anonymous 意见箱 authors; kept out of the
    # database on purpose. Empty: a key file is made at first use.
    secret_key: str = ""
    # Where ledgers asked for in chat are written (relative to the working directory).
    export_dir: str = "exports"
    # Message keys, conversation states and delivered outbox messages older
    # than this are forgotten (ledgers and results are kept).
    retention_days: int = Field(180, ge=1, le=36500)
    # The bot's display names in groups, so `@同心 助手 /帮助` (a name with a
    # space) and `@同心签到` (no space after the name) are read as commands.
    bot_names: Annotated[list[str], NoDecode] = Field(default_factory=list)

    wecom_corp_id: str = ""
    wecom_agent_id: int | None = None
    wecom_secret: str = ""
    wecom_token: str = ""
    wecom_aes_key: str = ""
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    wecom_bot_token: str = ""
    wecom_bot_aes_key: str = ""

    dingtalk_app_key: str = ""
    dingtalk_app_secret: str = ""
    dingtalk_robot_code: str = ""
    dingtalk_mode: Literal["http", "stream"] = "http"
    dingtalk_api_base: str = "https://api.dingtalk.com"
    dingtalk_oapi_base: str = "https://oapi.dingtalk.com"
    # The organisation's monthly quota of metered DingTalk calls (5,000 on the
    # standard edition; some of DingTalk's pages say 10,000). Admins are told
    # when the bot's own calls pass four fifths of it; 0: not watched.
    dingtalk_monthly_quota: int = Field(5000, ge=0)

    # Reminders: nothing is pushed in these hours ("" for none); a reminder
    # found due this late after a stop is recorded as missed, not sent.
    quiet_hours: str = Field(
        "22:00-07:00", pattern=r"^(([01]?\d|2[0-3]):[0-5]\d-([01]?\d|2[0-3]):[0-5]\d)?$"
    )
    reminder_grace_minutes: int = Field(120, ge=0, le=7 * 24 * 60)

    @field_validator("admins", "bot_names", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        return _split_commas(value)

    @field_validator("bot_names")
    @classmethod
    def _names_without_at(cls, value: list[str]) -> list[str]:
        # People copy the name as it appears in a message, @ included.
        return [n.lstrip("@＠").strip() for n in value if n.lstrip("@＠").strip()]

    @field_validator("admins")
    @classmethod
    def _admins_shape(cls, value: list[str]) -> list[str]:
        for item in value:
            platform, _, user = item.partition(":")
            if platform not in PLATFORMS or not user:
                raise ValueError(
                    f"{item!r} is not platform:userid with platform one of {PLATFORMS}"
                )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST:PORT/DB"
            )
        return value

    @field_validator("wecom_aes_key", "wecom_bot_aes_key")
    @classmethod
    def _aes_key(cls, value: str) -> str:
        if value and (len(value) != 43 or not value.isalnum()):
            raise ValueError("an EncodingAESKey is 43 letters and digits")
        return value

    @field_validator("wecom_api_base", "dingtalk_api_base", "dingtalk_oapi_base", "public_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("secret_key")
    @classmethod
    def _secret_key(cls, value: str) -> str:
        if value and len(_b64(value)) != 32:
            raise ValueError("must be 32 bytes in URL-safe base64 (44 characters)")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sqlite_path(self) -> Path | None:
        """The database file, when the database is SQLite on disk."""
        path = make_url(self.database_url).database
        if not self.database_url.startswith("sqlite") or path in (None, "", ":memory:"):
            return None
        return Path(path)

    @property
    def secret_key_file(self) -> Path:
        """Where the sealing key lives when TONGXIN_SECRET_KEY is unset: beside the
        SQLite database, or in the working directory for PostgreSQL."""
        db = self.sqlite_path
        return (db.resolve().parent if db is not None else Path.cwd()) / SECRET_KEY_FILE

    @property
    def local_channel_enabled(self) -> bool:
        if self.local_channel is not None:
            return self.local_channel
        return _is_loopback(self.host)

    @property
    def wecom_app_enabled(self) -> bool:
        return bool(self.wecom_corp_id and self.wecom_token and self.wecom_aes_key)

    @property
    def wecom_bot_enabled(self) -> bool:
        return bool(self.wecom_bot_token and self.wecom_bot_aes_key)

    @property
    def dingtalk_enabled(self) -> bool:
        return bool(self.dingtalk_app_key and self.dingtalk_app_secret)

    def is_configured_admin(self, platform: str, user_id: str) -> bool:
        return f"{platform}:{user_id}" in self.admins


def _b64(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value.encode())
    except ValueError:  # binascii.Error is one
        return b""


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_settings(**overrides: object) -> Settings:
    """Read the settings; a bad value becomes one ConfigError line, not a traceback."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "?"
        given = err.get("input")
        shown = f" (got {given!r})" if isinstance(given, str | int) else ""
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"TONGXIN_{field.upper()}: {msg}{shown}") from None
