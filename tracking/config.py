"""Settings, read once from the environment (prefix ``TIDTAM_``)."""

from __future__ import annotations

from functools import cache

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///tidtam.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIDTAM_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = "dev-only-change-me"
    office: str = "pathumwan"
    # Public lookups per client per minute, counted in the database for every process.
    track_rate_limit: int = 60
    # Outgoing mail for delay notices; empty host: notices are recorded, not e-mailed.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = "no-reply@pathumwan.example"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False


@cache
def get_settings() -> Settings:
    return Settings()
