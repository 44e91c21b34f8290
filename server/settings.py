"""Settings from `PLAZA_*` environment variables, validated once at start."""

from __future__ import annotations

import secrets
import zoneinfo
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Locale = Literal["en", "ru"]
SUPPORTED_LOCALES: tuple[Locale, ...] = ("en", "ru")


class SettingsError(Exception):
    """A setting has a bad value; the message names the variable and the reason."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLAZA_", extra="ignore", frozen=True)

    # Everything Plaza writes by default (database, Redis data, uploads, dev secret) lives here.
    var_dir: Path = Path("var")
    database_url: str = ""
    # PostgreSQL connections per process. A feed page holds one for a few milliseconds at a
    # time; 64 concurrent clients queued on 10 connections.
    database_pool: int = Field(default=20, ge=1, le=500)
    redis_url: str = ""
    # Every Redis key and arq queue is under this prefix, so several Plazas (or test runs)
    # can share one Redis.
    redis_prefix: str = "plaza"
    secret_key: str = ""
    email_domains: Annotated[tuple[str, ...], NoDecode] = ()
    timezone: str = "UTC"
    locale: Locale = "en"
    base_url: str = "http://127.0.0.1:8000"

    password_min_length: int = Field(default=10, ge=6, le=128)
    password_min_classes: int = Field(default=2, ge=1, le=4)

    session_idle_minutes: int = Field(default=60 * 24 * 7, ge=5)
    session_absolute_days: int = Field(default=30, ge=1)
    cookie_secure: bool = False

    login_failures_per_account_ip: int = Field(default=5, ge=1)
    login_failures_per_ip: int = Field(default=50, ge=1)
    login_failures_per_account: int = Field(default=100, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    writes_per_minute: int = Field(default=120, ge=1)

    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_upload_bytes: int = Field(default=10_000_000, ge=1024)
    max_avatar_bytes: int = Field(default=2_000_000, ge=1024)

    # Rewards: an event still unsettled this many seconds after it happened is re-queued
    # by the sweeper, which runs every `sweep_every_seconds`.
    settle_sweep_seconds: float = Field(default=30, gt=0)
    sweep_every_seconds: int = Field(default=10, ge=1, le=60)
    # Points a manager may give each calendar month; what is left at the month's end expires.
    manager_monthly_allowance: int = Field(default=100, ge=0)
    # Level names by lifetime points earned: "points:name,..." from 0 up.
    levels: str = "0:Newcomer,100:Member,500:Contributor,2000:Expert,10000:Legend"

    smtp_url: str = ""
    mail_from: str = "plaza@localhost"
    log_format: Literal["json", "text"] = "json"
    # One line per HTTP request (method, route, status, ms, user); off when a proxy in front
    # logs them already.
    access_log: bool = True
    # After start-up, move everything allocated so far (a million objects of imported
    # libraries) out of the garbage collector's sight: a full collection then walks only
    # what requests and caches made since. Measured: a 177 ms pause -> see docs/community.md.
    gc_freeze: bool = True
    # Backups (`plaza backup`, and the worker's daily job at `backup_hour` UTC): written to
    # `backup_dir` (empty: var/backups), of which the newest `backup_keep` are kept; 0 turns
    # the daily job off.
    backup_dir: Path | None = None
    backup_keep: int = Field(default=7, ge=0)
    backup_hour: int = Field(default=2, ge=0, le=23)
    # The built browser app (`npm run build` in web/); empty: web/build beside the packages.
    web_dir: Path | None = None

    @field_validator("email_domains", mode="before")
    @classmethod
    def _split_domains(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(d.strip().lower().lstrip("@") for d in value.split(",") if d.strip())
        return value

    @field_validator("email_domains")
    @classmethod
    def _check_domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for domain in value:
            if "." not in domain or " " in domain or "@" in domain:
                raise ValueError(f"{domain!r} is not a domain name")
        return value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Moscow") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if value and not value.startswith(("sqlite://", "postgres://", "postgresql://")):
            raise ValueError("must start with sqlite://, postgres:// or postgresql://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("secret_key")
    @classmethod
    def _check_secret(cls, value: str) -> str:
        if value and len(value) < 32:
            raise ValueError("must be at least 32 characters long")
        return value

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        # frozen model: defaults that depend on var_dir are filled through object.__setattr__
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite://{self.var_dir / 'plaza.sqlite3'}")
        if not self.redis_url:
            object.__setattr__(self, "redis_url", f"unix://{self.redis_socket}")
        return self

    @property
    def redis_socket(self) -> Path:
        return (self.var_dir / "redis" / "redis.sock").absolute()

    @property
    def uploads_dir(self) -> Path:
        return self.var_dir / "uploads"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def secret(self) -> str:
        """The configured secret, or a development secret generated once into `var/`."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def load_settings(**overrides: object) -> Settings:
    """Read the environment; raise SettingsError naming each bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = "PLAZA_" + "_".join(str(p) for p in error["loc"]).upper()
            lines.append(f"{name}: {error['msg']}")
        raise SettingsError("invalid settings:\n  " + "\n  ".join(lines)) from None
