"""One settings object for the whole application, read from `JOURNEYLINE_*` variables.

Built by `load_settings()` when a command runs, never at import time, so tests and tools
can set the environment first. Every setting is documented in README.md (a test checks).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:  # importing synthesis loads scikit-learn: too slow for every command
    from synthesis.embedders import EmbedderConfig

LogLevel = Literal["debug", "info", "warning", "error", "critical"]
ConsoleRole = Literal["admin", "researcher", "reviewer", "viewer", "none"]
LogFormat = Literal["auto", "text", "json"]
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
SmtpSecurity = Literal["starttls", "ssl", "none"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="JOURNEYLINE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(
        default=Path("journeyline-data"),
        description="Folder for the embedded SQLite database and exports.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the database, e.g. "
            "postgresql+psycopg://user@host:5432/journeyline. Empty: SQLite in data_dir."
        ),
    )
    max_message_chars: int = Field(
        default=4000,
        ge=100,
        le=100_000,
        description="Longest customer message taken as an answer (longer ones are kept, "
        "and the customer is asked for a shorter version).",
    )
    default_guide: str = Field(
        default="support_journey",
        description="Interview guide for new campaigns: a built-in name or a YAML path.",
    )

    public_url: str | None = Field(
        default=None,
        description="Address customers reach the web chat at; links are printed with it. "
        "Empty: http://HOST:PORT of `journeyline serve` (127.0.0.1 for a wildcard host).",
    )
    host: str = Field(default="127.0.0.1", description="Interface `journeyline serve` binds.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `journeyline serve` uses.")
    workers: int = Field(
        default=1, ge=1, le=64, description="Server processes for `journeyline serve`."
    )
    web_threads: int = Field(
        default=8,
        ge=1,
        le=64,
        description="Threads per server process doing database work for web requests.",
    )
    rate_limit_per_token: int = Field(
        default=60,
        ge=0,
        description="Requests per minute one interview link may make (0: no limit).",
    )
    rate_limit_per_client: int = Field(
        default=600,
        ge=0,
        description="Requests per minute one client address may make (0: no limit).",
    )
    max_request_bytes: int = Field(
        default=65536, ge=1024, description="Largest request body the web server accepts."
    )
    forwarded_allow_ips: str = Field(
        default="",
        description="Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto headers are "
        "trusted: comma-separated addresses or networks (e.g. 127.0.0.1,10.0.0.0/8), or * "
        "for any. Empty: none, so a client cannot choose the address it is limited by.",
    )
    header_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Longest time a request's line and headers may take to arrive; a slower "
        "client is disconnected.",
    )
    body_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="Longest time a request body may take to arrive once its headers are in; "
        "a slower client gets 408 and is disconnected.",
    )
    max_concurrency: int = Field(
        default=1000,
        ge=0,
        description="Connections and requests one server process takes at once; more get "
        "503 (0: no limit).",
    )
    open_starts_per_client_per_hour: int = Field(
        default=30,
        ge=0,
        description="Interviews one client address may start from open links per hour, "
        "across all server processes (0: no limit).",
    )
    open_starts_per_campaign_per_hour: int = Field(
        default=1000,
        ge=0,
        description="Interviews one campaign's open link may start per hour, across all "
        "server processes (0: no limit).",
    )
    open_starts_per_hour: int = Field(
        default=5000,
        ge=0,
        description="Interviews all open links together may start per hour (0: no limit).",
    )
    max_messages_per_interview: int = Field(
        default=400,
        ge=0,
        description="Customer messages one interview stores at most; later ones are refused "
        "(0: no limit).",
    )
    max_chars_per_interview: int = Field(
        default=200_000,
        ge=0,
        description="Characters of customer text one interview stores at most (0: no limit).",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis URL (redis://host:6379/0, needs the redis extra) for rate limits "
        "shared by every server process. Empty: each process counts for itself.",
    )
    api_docs: bool = Field(
        default=True,
        description="Serve the interactive API docs (/docs, with its assets from our own "
        "static folder) and /openapi.json.",
    )
    sqlite_synchronous: Literal["full", "normal"] = Field(
        default="full",
        description="SQLite's synchronous mode: full (an acknowledged answer survives a power "
        "loss) or normal (faster commits; the last ones may be lost on power loss).",
    )

    slack_bot_token: SecretStr | None = Field(
        default=None,
        description="Slack bot token (xoxb-...). With the signing secret it turns on Slack "
        "events at /slack/events; `journeyline slack` commands need it.",
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        description="Slack app signing secret: every request to /slack/events is verified with it.",
    )
    slack_app_token: SecretStr | None = Field(
        default=None,
        description="Slack app-level token (xapp-..., scope connections:write) for Socket "
        "Mode (`journeyline slack run --socket`).",
    )
    slack_campaign: str | None = Field(
        default=None,
        description="Campaign a Slack user without an invitation starts by messaging the "
        "app; it must be created with --open-link. Empty: only invited users.",
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        description="Base URL of the Slack Web API (change it only for a proxy or a test double).",
    )

    smtp_host: str | None = Field(
        default=None,
        description="SMTP server invitations are sent through. Empty: each email is written "
        "as a .eml file to the data folder's outbox/ instead.",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_security: SmtpSecurity = Field(
        default="starttls",
        description="How the SMTP connection is protected: starttls (port 587), ssl "
        "(implicit TLS, port 465) or none (a relay on the same machine only).",
    )
    smtp_username: str | None = Field(default=None, description="SMTP user name. Empty: no login.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_timeout_seconds: float = Field(
        default=30.0, gt=0, le=300, description="Longest wait for the SMTP server."
    )
    email_from_address: str = Field(
        default="journeyline@localhost",
        description="Sender address of invitations; also the domain of their Message-IDs.",
    )
    email_from_name: str = Field(
        default="The research team", description="Sender name of invitations."
    )
    link_secret: SecretStr | None = Field(
        default=None,
        description="Secret the personal links and opt-out links of invitations are made "
        "with (HMAC). Empty: a random one kept in the data folder's link-secret file; set "
        "it when workers run on more than one machine.",
    )
    scheduler_in_serve: bool = Field(
        default=True,
        description="Run the invitation scheduler inside `journeyline serve` (off: only "
        "`journeyline worker` processes send).",
    )
    scheduler_threads: int = Field(
        default=2, ge=1, le=32, description="Scheduler workers per process."
    )
    stop_rules_check_minutes: float = Field(
        default=10,
        gt=0,
        le=1440,
        description="How often the scheduler checks each open campaign's stop rules "
        "(target, saturation); an end date is checked at its moment.",
    )
    scheduler_poll_seconds: float = Field(
        default=1.0, gt=0, le=60, description="How often an idle worker looks for due jobs."
    )
    scheduler_lease_seconds: int = Field(
        default=120,
        ge=5,
        le=3600,
        description="How long a claimed job stays a worker's without renewal; after a "
        "crash its jobs run elsewhere this long later. Keep it above the SMTP timeout.",
    )

    helpdesk_webhook_secret: SecretStr | None = Field(
        default=None,
        description="Shared secret of the helpdesk webhook (/hooks/helpdesk/CAMPAIGN); "
        "requests must be signed with it. Empty: the webhook is off.",
    )
    helpdesk_mapping: dict[str, str] = Field(
        default_factory=dict,
        description="JSON object from case fields (case_id, email, slack_user_id, name, "
        "language, status, closed_at, attributes.NAME) to dotted paths in the webhook's "
        "JSON; fields left out use their own name as the path.",
    )
    helpdesk_solved_statuses: str = Field(
        default="solved,closed,resolved",
        description="Comma-separated statuses that mean a case closed; other statuses are "
        "acknowledged and ignored.",
    )

    openai_api_key: SecretStr | None = Field(
        default=None,
        description="OpenAI API key for `--embedder openai` (needs the openai extra). "
        "Empty: JOURNEYLINE_LLM_API_KEY.",
    )
    openai_base_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible API, e.g. http://127.0.0.1:8080/v1. "
        "Empty: OpenAI's own.",
    )
    openai_embedding_model: str = Field(
        default="text-embedding-3-small",
        description="Embedding model `--embedder openai` asks for.",
    )
    embedding_batch_size: int = Field(
        default=256,
        ge=1,
        le=2048,
        description="Texts per embedding request (OpenAI) or per encoding batch (local model).",
    )
    embedding_cache_dir: Path | None = Field(
        default=None,
        description="Folder of the OpenAI embedding cache (vectors by text hash, so a text is "
        "paid for once). Empty: embedding-cache in data_dir.",
    )
    local_embedding_model: Path | None = Field(
        default=None,
        description="Folder of a sentence-transformers model on disk for `--embedder "
        "sentence-transformers` (local-embeddings extra); never downloaded from a hub.",
    )

    llm_api_key: SecretStr | None = Field(
        default=None,
        description="API key of the OpenAI-compatible endpoint. Empty: no language model; "
        "interviews and synthesis run offline.",
    )
    llm_model: str = Field(
        default="gpt-4o-mini", description="Chat model the interviewer (and analyst) uses."
    )
    llm_base_url: str | None = Field(
        default=None,
        description="Base URL of any OpenAI-compatible API (Azure OpenAI, vLLM, Ollama: "
        "e.g. http://127.0.0.1:11434/v1). Empty: OpenAI.",
    )
    llm_timeout_seconds: float = Field(
        default=8.0,
        gt=0,
        le=120,
        description="Longest wait for one model call; a slower turn goes on offline.",
    )
    llm_max_usd_per_interview: float = Field(
        default=0.05,
        ge=0,
        description="Spending cap per interview (estimated US dollars); above it the "
        "interview goes on offline.",
    )
    llm_max_usd_per_run: float = Field(
        default=1.0, ge=0, description="Spending cap per synthesis run (estimated US dollars)."
    )
    llm_price_input_per_million: float = Field(
        default=0.15,
        ge=0,
        description="Price of a million input tokens, for cost estimates and the caps.",
    )
    llm_price_output_per_million: float = Field(
        default=0.60,
        ge=0,
        description="Price of a million output tokens, for cost estimates and the caps.",
    )

    console_session_hours: float = Field(
        default=12,
        gt=0,
        le=24 * 90,
        description="Longest a console sign-in lasts, however busy; then sign in again.",
    )
    console_idle_minutes: int = Field(
        default=120,
        ge=1,
        description="A console session unused for this long ends.",
    )
    console_max_failed_sign_ins: int = Field(
        default=5,
        ge=0,
        description="Failed sign-ins to one account within the window before it is locked "
        "until the window passes (0: no limit).",
    )
    console_max_failed_sign_ins_per_address: int = Field(
        default=20,
        ge=0,
        description="Failed sign-ins from one client address within the window before it is "
        "refused until the window passes (0: no limit).",
    )
    console_failed_sign_in_window_minutes: int = Field(
        default=15, ge=1, description="The window failed sign-ins are counted over, in minutes."
    )
    console_reset_link_hours: int = Field(
        default=24, ge=1, le=24 * 14, description="How long a password reset link works."
    )
    share_link_days: int = Field(
        default=30,
        ge=1,
        description="How long a read-only share link of a map works unless its maker "
        "chooses otherwise, in days.",
    )
    share_link_max_days: int = Field(
        default=90,
        ge=1,
        description="The longest a share link may be made to work, in days.",
    )
    console_secure_cookies: bool = Field(
        default=False,
        description="Mark the console's cookies Secure even when requests arrive over plain "
        "HTTP (behind a proxy that terminates HTTPS). Requests over HTTPS always get them.",
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="OpenID Connect issuer URL for single sign-on to the console (its "
        "discovery document is at ISSUER/.well-known/openid-configuration). Empty: passwords "
        "only.",
    )
    oidc_client_id: str | None = Field(
        default=None, description="Client id of journeyline at the OpenID Connect provider."
    )
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="Client secret of journeyline at the OpenID Connect provider."
    )
    oidc_default_role: ConsoleRole = Field(
        default="viewer",
        description="Role of someone who signs in with single sign-on for the first time and "
        "has no account yet; 'none' lets only existing accounts in.",
    )
    oidc_scopes: str = Field(
        default="openid email profile",
        description="Scopes asked of the OpenID Connect provider (openid and email needed).",
    )
    oidc_label: str = Field(
        default="single sign-on",
        description="Name on the sign-in button, e.g. 'Okta' for 'Sign in with Okta'.",
    )

    log_level: LogLevel = Field(
        default="warning",
        description="Least severe log records written to stderr: debug, info (adds an access "
        "line per web request), warning, error or critical.",
    )
    log_format: LogFormat = Field(
        default="auto",
        description="How log lines read: text (for people), json (one object per line, for "
        "a log collector), or auto: text when stderr is a terminal, else json.",
    )

    @field_validator("log_level", "log_format", "sqlite_synchronous", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    def embedder_config(self) -> EmbedderConfig:
        """What the optional embedders need, from these settings. The OpenAI embedder uses
        the language model's key and endpoint unless it has its own."""
        from synthesis.embedders import EmbedderConfig

        own = self.openai_api_key.get_secret_value() if self.openai_api_key else None
        shared = self.llm_api_key.get_secret_value() if self.llm_api_key else None
        return EmbedderConfig(
            openai_api_key=own or shared or None,
            openai_base_url=self.openai_base_url or self.llm_base_url or None,
            openai_model=self.openai_embedding_model,
            batch_size=self.embedding_batch_size,
            cache_dir=self.embedding_cache_dir or self.data_dir / "embedding-cache",
            local_model_path=self.local_embedding_model,
        )

    @property
    def llm_enabled(self) -> bool:
        return self.llm_api_key is not None and bool(self.llm_api_key.get_secret_value())

    def resolved_database_url(self) -> str:
        # Imported here: SQLAlchemy is not needed to read the settings (`--help`).
        from storage.engines import sqlite_url_for_dir

        return self.database_url or sqlite_url_for_dir(self.data_dir)

    def link_base(self, *, port: int | None = None) -> str:
        """Where printed links point: ``public_url``, else the address `journeyline
        serve` listens on (``port`` when it is given another one on its command line)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = self.host
        if host in WILDCARD_HOSTS:
            host = "127.0.0.1"  # listening everywhere: this machine answers on loopback
        elif ":" in host:
            host = f"[{host}]"  # an IPv6 address in a URL
        return f"http://{host}:{port or self.port}"


def load_settings() -> Settings:
    return Settings()
