"""Settings from ARCHIVE_* environment variables, with working defaults."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.errors import ConfigError


@dataclass(frozen=True)
class Settings:
    """Every setting of the service; see README for the environment names."""

    # Root for the database, stored files and the search index.
    data_dir: Path = Path("var")
    # Root of the scanner drop folders: inbox/, done/, failed/, duplicates/.
    scans_dir: Path = Path("scans")
    # SQLAlchemy URL; empty means SQLite at <data_dir>/archive.db.
    database_url: str = ""
    # Storage backend for masters, uploads and derivatives ("local" or "s3").
    storage: str = "local"
    # S3 bucket of the "s3" backend (it must exist).
    s3_bucket: str = ""
    # Endpoint of an S3-compatible store such as MinIO; empty means AWS.
    s3_endpoint_url: str = ""
    # Region for request signing; empty means the AWS configuration's.
    s3_region: str = ""
    # Key prefix inside the bucket (lets several cities share one bucket).
    s3_prefix: str = ""
    # Public base URL (CDN or bucket website) serving derivatives/; empty means the app serves them.
    s3_public_url: str = ""
    # Files at least this many MiB go up as multipart uploads, in parts of this size.
    s3_multipart_mb: int = 64
    # After the web finds the object store slow or down, image requests are answered 503
    # at once for this many seconds instead of each waiting on the store.
    storage_cooldown_seconds: float = 15.0
    # Address of the public corner as visitors reach it; every absolute link is built from it.
    public_url: str = "http://127.0.0.1:8000"
    # Other host names the web answers to besides public_url's (comma-separated); others get 400.
    trusted_hosts: str = "localhost,127.0.0.1,::1"
    # Origins (space-separated) whose pages may show /embed in a frame: the city homepage.
    embed_origins: str = "https://www.naju.go.kr"
    # Largest image (in pixels) the worker will decode; larger files fail as bombs.
    max_pixels: int = 120_000_000
    # Largest decoded scan in MiB (width x height x bytes per pixel); larger files fail.
    max_decoded_mb: int = 1024
    # Seconds a dropped file's size and mtime must stay unchanged before ingest.
    settle_seconds: float = 2.0
    # Longest a --once run waits for a file that is still being written.
    max_wait_seconds: float = 300.0
    # Seconds between scans of the inbox when watching (polling fallback).
    poll_seconds: float = 5.0
    # Number of decoder processes (0 means one per CPU core).
    workers: int = 0
    # Seconds one file may take to decode before it fails as a hang.
    task_timeout: float = 120.0
    # Address-space cap of each decoder process in MiB (0 means no cap).
    worker_memory_mb: int = 3072
    # How far the ingest worker (and its decoders) steps back for other processes on the
    # same host (Unix niceness, 0-19): decoding scans must not slow visitors' pages.
    ingest_nice: int = 10
    # Hamming distance of perceptual hashes at or under which scans are near-duplicates.
    near_duplicate_distance: int = 6
    # Long side in pixels of the thumbnail derivative.
    thumb_size: int = 320
    # Long side in pixels of the large thumbnail (cards on wide phones and high-density screens).
    thumb_large_size: int = 640
    # Long side in pixels of the web image derivative.
    web_size: int = 1600
    # Longest side in pixels of the zoomable (IIIF tile) image of a scan; 0 is full resolution.
    tiles_scan_max: int = 0
    # Longest side in pixels of the zoomable image of a contributed photo; 0 is full resolution.
    tiles_contribution_max: int = 3000
    # Most pages of a multi-page TIFF that get their own derivatives.
    max_pages: int = 50
    # Origins allowed to call /api (comma-separated, or *); empty allows none.
    cors_origins: str = ""
    # CSV of Naju's places (names, aliases, parents); empty means the packaged one.
    gazetteer: str = ""
    # CSV of named periods photos are dated by (6·25 전쟁, 금성시 때); empty: the packaged one.
    periods: str = ""
    # CSV of the search's domain dictionary (words kept whole or split); empty: packaged.
    words: str = ""
    # CSV of variant words searched together (국민학교|초등학교); empty: the packaged one.
    variants: str = ""
    # Rights statement given to records that have none.
    default_rights: str = "저작권 확인 중"
    # Credit line given to records that have none.
    default_credit: str = "나주시"
    # Who visitors call about their contributions and requests, shown wherever a page
    # mentions calling (the city hall's main line until the office sets its own).
    office_name: str = "나주시청"
    office_phone: str = "061-339-8114"
    office_hours: str = "평일 09:00~18:00"
    # The privacy policy page (개인정보 처리방침): who answers for personal data, an address
    # to write to (empty: none shown), and the date the current text took effect.
    privacy_officer: str = "나주시 개인정보 보호책임자"
    privacy_department: str = "나주시청 옛 사진 기록물 담당 부서"
    privacy_email: str = ""
    privacy_effective: str = "2026-11-24"
    # OAI-PMH (/oai): the repository's name in its identifiers (oai:<this>:<public id>; a
    # domain the city holds, kept when the site moves), records per ListRecords /
    # ListIdentifiers answer, hours a resumption token stays good, and the address
    # harvesters write to (empty: privacy_email, then webmaster@ the repository name).
    oai_repository_id: str = "oldphoto.naju.go.kr"
    oai_page_size: int = 100
    oai_token_hours: int = 24
    oai_admin_email: str = ""
    # Log lines as plain "text" or one "json" object per line (read before other settings).
    log_format: str = "text"
    # Key that signs session and CSRF cookies; empty means one kept in <data_dir>/secret_key.
    secret_key: str = ""
    # Send cookies only over HTTPS (1) even when a request looks like plain HTTP.
    secure_cookies: int = 0
    # Reverse proxies in front of the web whose X-Forwarded-* headers are trusted.
    proxy_count: int = 0
    # Addresses (or networks) of those proxies, comma-separated: only their forwarded
    # headers are believed (ignored altogether while proxy_count is 0).
    proxy_addresses: str = "127.0.0.1,::1"
    # Where rate-limit counters live (a limits storage URI, e.g. redis://host:6379).
    rate_limit_storage: str = "memory://"
    # Contribution form sends allowed per visitor IP address.
    contribute_rate_limit: str = "10 per hour;30 per day"
    # Failed sign-ins allowed per visitor IP address (a right password is not counted).
    login_rate_limit: str = "10 per 15 minutes"
    # Failed sign-ins allowed per account name, from any address.
    login_account_rate_limit: str = "10 per 15 minutes"
    # Largest single contributed photo in MiB.
    upload_max_file_mb: int = 30
    # Largest contribution request (all photos together) in MiB.
    upload_max_request_mb: int = 100
    # Most photos in one contribution.
    upload_max_photos: int = 10
    # Largest decoded contributed photo in MiB (width x height x bytes per pixel).
    upload_max_decoded_mb: int = 512
    # Decoder processes each web process keeps for contributed photos (started on first use).
    upload_decoders: int = 2
    # Seconds a contribution waits for a free decoder before the form says to try later.
    upload_wait_seconds: float = 10.0
    # Hours a staff sign-in lasts at most.
    staff_session_hours: int = 12
    # Minutes without a request after which a staff sign-in ends.
    staff_idle_minutes: int = 60
    # Fewest characters a staff password may have (it must also not be easy to guess).
    password_min_length: int = 10
    # Days a contributor's name and contact are kept after every photo is decided.
    personal_data_retention_days: int = 365
    # Memories, suggestions and requests (together) allowed per visitor IP address.
    voice_rate_limit: str = "10 per hour;40 per day"
    # Mail server for notices; empty sends no mail at all (and nothing waits for it).
    smtp_host: str = ""
    # Its port (587 for submission with STARTTLS, 465 for TLS from the start, 25 plain).
    smtp_port: int = 587
    # Upgrade the connection with STARTTLS (1) or not (0); port 465 always uses TLS.
    smtp_starttls: int = 1
    # Sign-in to the mail server; empty sends without signing in.
    smtp_user: str = ""
    smtp_password: str = ""
    # Seconds to wait for the mail server before the job is tried again later.
    smtp_timeout: float = 20.0
    # CA certificates (PEM file) that sign the mail server's certificate, for a relay with
    # the office's own CA; empty trusts the system's CAs.
    smtp_ca_file: str = ""
    # Sender of every notice.
    mail_from: str = "나주시 옛 사진 <noreply@naju.go.kr>"
    # Staff addresses (comma-separated) that get a digest of new memories, suggestions,
    # requests and contributions; empty sends none.
    staff_digest_to: str = ""
    # Minutes a digest gathers new items before it is sent (0: one as soon as a worker runs).
    staff_digest_minutes: int = 60

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
        """Return a copy with some settings replaced."""
        return replace(self, **values)


def _convert(name: str, default: Any, raw: str) -> Any:
    try:
        if isinstance(default, Path):
            return Path(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError as exc:
        kind = "number" if isinstance(default, int | float) else type(default).__name__
        raise ConfigError(f"ARCHIVE_{name.upper()}={raw!r} is not a valid {kind}") from exc
    return raw


def load_settings(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from ARCHIVE_* variables, then apply explicit overrides."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    defaults = Settings()
    for field in fields(Settings):
        raw = env.get(f"ARCHIVE_{field.name.upper()}")
        if raw is not None and raw != "":
            values[field.name] = _convert(field.name, getattr(defaults, field.name), raw)
    for name, value in overrides.items():
        default = getattr(defaults, name, None)
        values[name] = _convert(name, default, value) if isinstance(value, str) else value
    settings = Settings(**values)
    if settings.log_format not in ("text", "json"):
        raise ConfigError(f"ARCHIVE_LOG_FORMAT={settings.log_format!r}: use text or json")
    if settings.s3_multipart_mb < 5:
        raise ConfigError("ARCHIVE_S3_MULTIPART_MB must be at least 5 (the S3 minimum part size)")
    _check_public_url(settings.public_url)
    if not 0 < settings.smtp_port < 65536:
        raise ConfigError(f"ARCHIVE_SMTP_PORT={settings.smtp_port}: give a port from 1 to 65535")
    for name in (
        "upload_decoders",
        "staff_session_hours",
        "staff_idle_minutes",
    ):
        if getattr(settings, name) < 1:
            raise ConfigError(f"ARCHIVE_{name.upper()} must be at least 1")
    if settings.smtp_ca_file.strip() and not Path(settings.smtp_ca_file.strip()).is_file():
        raise ConfigError(f"ARCHIVE_SMTP_CA_FILE={settings.smtp_ca_file!r}: no such file")
    for name in ("tiles_scan_max", "tiles_contribution_max"):
        if getattr(settings, name) < 0:
            raise ConfigError(f"ARCHIVE_{name.upper()} must be 0 (full resolution) or more")
    if settings.staff_digest_minutes < 0:
        raise ConfigError("ARCHIVE_STAFF_DIGEST_MINUTES must be 0 (at once) or more")
    _check_addresses(settings.proxy_addresses)
    if not 0 <= settings.ingest_nice <= 19:
        raise ConfigError(f"ARCHIVE_INGEST_NICE={settings.ingest_nice}: give 0 to 19")
    return settings


def _check_addresses(text: str) -> None:
    for item in (part.strip() for part in text.split(",")):
        try:
            if item and item != "*":
                ipaddress.ip_network(item)
        except ValueError as exc:
            raise ConfigError(
                f"ARCHIVE_PROXY_ADDRESSES: {item!r} is not an address or network "
                "(e.g. 127.0.0.1,10.0.0.0/8)"
            ) from exc


def _check_public_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"ARCHIVE_PUBLIC_URL={url!r}: give the address visitors use, "
            "e.g. https://oldphoto.naju.go.kr"
        )
