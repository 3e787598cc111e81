"""Settings: every ARCHIVE_* environment variable declared once, with its type, default,
rules, a one-line description and a group (docs/reference/settings.md is generated from
these declarations by `make settings-reference`)."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from archive.errors import ConfigError
from archive.settings_rules import (
    PREFIX,
    KnownFile,
    MappingSource,
    NetworkList,
    SiteAddress,
    explain,
    setting,
)

# The mapping load_settings was given instead of os.environ (tests and benchmarks pass one).
_GIVEN: ContextVar[Mapping[str, str] | None] = ContextVar("settings_given", default=None)


class Settings(BaseSettings):
    """Every setting of the service (docs/reference/settings.md lists them)."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        env_ignore_empty=True,
        frozen=True,
        extra="forbid",
        use_attribute_docstrings=True,
    )

    data_dir: Path = setting(Path("var"), "data")
    """Database (SQLite), stored files (`storage/`) and search index."""
    scans_dir: Path = setting(Path("scans"), "data")
    """Drop folders: `inbox/` (watched), `done/`, `failed/`, `duplicates/`."""
    database_url: str = setting("", "data")
    """SQLAlchemy URL of the database; empty: SQLite at `<data dir>/archive.db`."""
    database_read_url: str = setting("", "data")
    """URL of a streaming replica the searches of the `postgres` search backend read; empty:
    the database itself."""
    search_backend: Literal["", "whoosh", "postgres"] = setting("", "data")
    """Search engine: `whoosh` (index files in the data dir, one writer) or `postgres` (a table
    in the database, written with each record; for several web hosts); empty: `postgres` with a
    PostgreSQL database, else `whoosh`."""
    storage: str = setting("local", "data")
    """Storage backend for masters, uploads and derivatives: `local` or `s3`."""
    s3_bucket: str = setting("", "data")
    """Bucket of the `s3` backend (must exist; required with `s3`)."""
    s3_endpoint_url: str = setting("", "data")
    """Endpoint of an S3-compatible store such as MinIO (`http://minio:9000`); empty: AWS."""
    s3_region: str = setting("", "data")
    """Region used to sign requests; empty: the AWS configuration's."""
    s3_prefix: str = setting("", "data")
    """Key prefix inside the bucket (several cities may share one bucket)."""
    s3_public_url: str = setting("", "data")
    """Public base URL (CDN) that serves `derivatives/`; empty: the site serves them at
    `/media/…`."""
    s3_multipart_mb: int = setting(64, "data", ge=5)
    """Files of at least this many MiB go up as multipart uploads in parts of this size (S3's
    minimum part is 5)."""
    storage_cooldown_seconds: float = setting(15.0, "data", ge=0)
    """After the web finds the object store slow or down, image requests get 503 at once for this
    long."""

    max_pixels: int = setting(120_000_000, "ingest", ge=1)
    """Largest image decoded; above it a file fails as a possible decompression bomb (an 8×10 inch
    print at 1200 dpi fits)."""
    max_decoded_mb: int = setting(1024, "ingest", ge=1)
    """Largest decoded scan in MiB (width × height × bytes per pixel)."""
    settle_seconds: float = setting(2.0, "ingest", ge=0)
    """Size and mtime of a dropped file must stay unchanged this long before it is taken."""
    max_wait_seconds: float = setting(300.0, "ingest", ge=0)
    """A one-off run leaves a file still changing after this long (outcome `skipped`)."""
    poll_seconds: float = setting(5.0, "ingest", gt=0)
    """How often `--watch` rescans the inbox besides file-system events (network shares send
    none)."""
    workers: int = setting(0, "ingest", ge=0)
    """Decoder processes (0: one per core)."""
    ingest_nice: int = setting(10, "ingest", ge=0, le=19)
    """Niceness (0–19) of `archive ingest --watch` and its decoders: decoding yields the CPU to
    visitors' pages."""
    task_timeout: float = setting(120.0, "ingest", gt=0)
    """Seconds one file may take to decode before it fails as a hang."""
    worker_memory_mb: int = setting(3072, "ingest", ge=0)
    """Address-space cap of each decoder process in MiB (0: none)."""
    near_duplicate_distance: int = setting(6, "ingest", ge=0, le=64)
    """Perceptual-hash distance (of 64 bits) at or under which records are flagged as near-
    duplicates."""
    max_pages: int = setting(50, "ingest", ge=1)
    """Pages of a multi-page TIFF that get derivatives."""

    thumb_size: int = setting(320, "images", ge=16)
    """Long side of the thumbnail in pixels."""
    thumb_large_size: int = setting(640, "images", ge=16)
    """Long side of the large thumbnail (cards on phones and high-density screens)."""
    web_size: int = setting(1600, "images", ge=16)
    """Long side of the web image."""
    tiles_scan_max: int = setting(0, "images", ge=0)
    """Longest side of a scan's zoomable (IIIF) image; 0: full resolution."""
    tiles_contribution_max: int = setting(3000, "images", ge=0)
    """Longest side of a contributed photo's zoomable image; 0: full resolution."""

    gazetteer: str = setting("", "tables")
    """CSV of Naju's places; empty: the packaged `archive/places/gazetteer.csv` (an admin's copy
    edited under 기준 표 wins)."""
    periods: str = setting("", "tables")
    """CSV of named periods dates may name (`6·25 전쟁`, `금성시 때`); empty: the packaged one."""
    words: str = setting("", "tables")
    """CSV of the search's domain dictionary; empty: the packaged `archive/search/words.csv`."""
    variants: str = setting("", "tables")
    """CSV of variant words searched together (국민학교|초등학교); empty: the packaged one."""
    default_rights: str = setting("저작권 확인 중", "tables")
    """Rights statement of records without one (written into derivatives' EXIF)."""
    default_credit: str = setting("나주시", "tables")
    """Credit line of records without one."""

    public_url: SiteAddress = setting("http://127.0.0.1:8000", "web")
    """The address visitors use (`https://oldphoto.naju.go.kr`); every absolute link is built from
    it, never from the request."""
    trusted_hosts: str = setting("localhost,127.0.0.1,::1", "web")
    """Other host names the web answers to (comma-separated); any other host gets 400."""
    embed_origins: str = setting("https://www.naju.go.kr", "web")
    """Origins (space-separated) whose pages may show `/embed` in a frame."""
    cors_origins: str = setting("", "web")
    """Origins allowed to call `/api/…` from a browser (comma-separated, or `*`)."""
    log_format: Literal["text", "json"] = setting("text", "web")
    """`json` writes one JSON object per log line (CLI, worker, gunicorn)."""
    secret_key: str = setting("", "web")
    """Signs session and CSRF cookies; empty: one kept in `<data dir>/secret_key` (set the same on
    every web server)."""
    secure_cookies: bool = setting(False, "web")
    """Send cookies only over HTTPS even when the proxy does not say the request was HTTPS."""
    proxy_count: int = setting(0, "web", ge=0)
    """Reverse proxies in front of the web whose `X-Forwarded-For/Proto/Host` are trusted (none
    while 0)."""
    proxy_addresses: NetworkList = setting("127.0.0.1,::1", "web")
    """Addresses or networks of those proxies (comma-separated; `*`: any, when only the proxy
    reaches gunicorn)."""
    rate_limit_storage: str = setting("memory://", "web")
    """Where rate-limit counters live (a `limits` storage URI such as `redis://host:6379`)."""

    office_name: str = setting("나주시청", "office")
    """Who visitors call, shown in the footer and wherever a page mentions calling."""
    office_phone: str = setting("061-339-8114", "office")
    """That office's telephone number (set the department's own line)."""
    office_hours: str = setting("평일 09:00~18:00", "office")
    """When that office answers."""
    privacy_officer: str = setting("나주시 개인정보 보호책임자", "office")
    """Who answers for personal data, named on the privacy policy page."""
    privacy_department: str = setting("나주시청 옛 사진 기록물 담당 부서", "office")
    """The department named on the privacy policy page."""
    privacy_email: str = setting("", "office")
    """An address to write to about personal data; empty: none shown."""
    privacy_effective: str = setting("2026-11-24", "office")
    """The date the privacy policy's current text took effect."""

    oai_repository_id: str = setting("oldphoto.naju.go.kr", "oai")
    """The repository's name in OAI identifiers (`oai:<this>:<photo id>`): a domain the city holds;
    keep it once harvested."""
    oai_page_size: int = setting(100, "oai", ge=1)
    """Records per OAI-PMH list answer."""
    oai_token_hours: int = setting(24, "oai", ge=1)
    """Hours a resumption token stays good."""
    oai_admin_email: str = setting("", "oai")
    """The address in `Identify`; empty: `ARCHIVE_PRIVACY_EMAIL`, then `webmaster@<repository
    id>`."""

    contribute_rate_limit: str = setting("10 per hour;30 per day", "citizens")
    """Contribution sends allowed per visitor address."""
    voice_rate_limit: str = setting("10 per hour;40 per day", "citizens")
    """Memories, suggestions and requests (together) allowed per visitor address."""
    upload_max_file_mb: int = setting(30, "citizens", ge=1)
    """Largest single contributed photo in MiB."""
    upload_max_request_mb: int = setting(100, "citizens", ge=1)
    """Largest contribution request in MiB (413 above it)."""
    upload_max_photos: int = setting(10, "citizens", ge=1)
    """Most photos in one contribution."""
    upload_max_decoded_mb: int = setting(512, "citizens", ge=1)
    """Largest decoded contributed photo in MiB (a 16-bit PNG can be small on disk and huge
    decoded)."""
    upload_decoders: int = setting(2, "citizens", ge=1)
    """Decoder processes per web process for contributed photos (started on first use)."""
    upload_wait_seconds: float = setting(10.0, "citizens", ge=0)
    """How long a contribution waits for a free decoder before the visitor is asked to try again
    (503)."""
    personal_data_retention_days: int = setting(365, "citizens", ge=1)
    """Days senders' names and contacts are kept after a decision."""

    login_rate_limit: str = setting("10 per 15 minutes", "staff")
    """Failed staff sign-ins allowed per visitor address (past it, the page says in Korean how long
    to wait)."""
    login_account_rate_limit: str = setting("10 per 15 minutes", "staff")
    """Failed sign-ins allowed per account name, from any address."""
    staff_session_hours: int = setting(12, "staff", ge=1)
    """Longest a staff sign-in lasts."""
    staff_idle_minutes: int = setting(60, "staff", ge=1)
    """A staff sign-in ends after this long without a request."""
    password_min_length: int = setting(10, "staff", ge=1)
    """Fewest characters of a staff password (zxcvbn must also judge it hard to guess)."""

    smtp_host: str = setting("", "mail")
    """Mail server for notices; empty sends no mail at all."""
    smtp_port: int = setting(587, "mail", ge=1, le=65535)
    """Its port (465: TLS from the start)."""
    smtp_starttls: bool = setting(True, "mail")
    """Upgrade the connection with STARTTLS (`0`: plain, e.g. a relay on the same host)."""
    smtp_user: str = setting("", "mail")
    """Sign-in to the mail server; empty sends without one."""
    smtp_password: str = setting("", "mail")
    """Its password."""
    smtp_timeout: float = setting(20.0, "mail", gt=0)
    """Seconds to wait for the mail server before the job is tried again later."""
    smtp_ca_file: KnownFile = setting("", "mail")
    """PEM file of the CA that signed the mail server's certificate (an office relay with its own
    CA); empty: the system's CAs."""
    mail_from: str = setting("나주시 옛 사진 <noreply@naju.go.kr>", "mail")
    """Sender of every notice."""
    staff_digest_to: str = setting("", "mail")
    """Staff addresses (comma-separated) that get a digest of new items."""
    staff_digest_minutes: int = setting(60, "mail", ge=0)
    """How long a digest gathers new items (0: as soon as a worker runs)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read explicit values first, then the environment (or the mapping given)."""
        given = _GIVEN.get()
        environment = env_settings if given is None else MappingSource(settings_cls, given)
        return (init_settings, environment)

    @property
    def mail_enabled(self) -> bool:
        """Return whether notices are sent at all."""
        return bool(self.smtp_host.strip())

    @property
    def digest_recipients(self) -> list[str]:
        """Return the staff addresses of the digest (none without a mail server)."""
        if not self.mail_enabled:
            return []
        return [a.strip() for a in self.staff_digest_to.split(",") if a.strip()]

    @property
    def host_names(self) -> list[str]:
        """Return every host name the web answers to (public_url's first)."""
        names = [urlsplit(self.public_url).hostname or ""]
        names += [n.strip().lower() for n in self.trusted_hosts.split(",") if n.strip()]
        return list(dict.fromkeys(n for n in names if n))

    @property
    def public_base(self) -> str:
        """Return public_url without a trailing slash."""
        return self.public_url.rstrip("/")

    def own_folder_holding(self, path: Path) -> Path | None:
        """Return the archive's own folder (data, or the scans' inbox) that holds path, or
        None. Nothing the archive writes out (an export, an offline copy) may go there: it
        would be served publicly, swept as a leftover, or ingested as a new scan."""
        target = path.expanduser().resolve()
        for folder in (self.data_dir, self.inbox_dir):
            resolved = folder.expanduser().resolve()
            if target == resolved or resolved in target.parents:
                return folder
        return None

    @property
    def inbox_dir(self) -> Path:
        """Return the watched drop folder."""
        return self.scans_dir / "inbox"

    @property
    def work_dir(self) -> Path:
        """Return the folder for temporary files (uploads, tile pyramids before storing)."""
        return self.data_dir / "tmp"

    @property
    def storage_dir(self) -> Path:
        """Return the root of the local storage backend."""
        return self.data_dir / "storage"

    @property
    def search_engine(self) -> str:
        """Return the search backend in use (the setting, or the database's default)."""
        if self.search_backend:
            return self.search_backend
        return "postgres" if self.sqlalchemy_url.startswith("postgresql") else "whoosh"

    @property
    def index_dir(self) -> Path:
        """Return the directory of the search index."""
        return self.data_dir / "index"

    @property
    def sqlalchemy_url(self) -> str:
        """Return the database URL, defaulting to SQLite in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'archive.db').resolve()}"

    def with_overrides(self, **values: Any) -> Settings:
        """Return a copy with some settings replaced (checked by the same rules)."""
        return _validated({}, self.model_dump() | values)


def load_settings(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read the ARCHIVE_* variables of the environment (or of env, when given, instead),
    apply explicit overrides, and check every rule; raise ConfigError naming the variable
    of any value that breaks one."""
    return _validated(env, overrides)


def _validated(env: Mapping[str, str] | None, values: dict[str, Any]) -> Settings:
    token = _GIVEN.set(env)
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise ConfigError(explain(exc, PREFIX)) from None
    finally:
        _GIVEN.reset(token)
