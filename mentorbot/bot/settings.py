"""One typed settings object, read once from the environment at start-up."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mentorbot.bot import languages
from mentorbot.bot.away_status import DEFAULT_EMOJI, DEFAULT_WORDS, parse_emoji, parse_words
from mentorbot.bot.public_holidays import UnknownCalendar, parse_calendar
from mentorbot.bot.usertext import is_whole_number

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///mentorbot.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable and the fix."""


@dataclass(frozen=True)
class WorkingHours:
    """A daily window in the recipient's local time, start inclusive, end exclusive."""

    start: time
    end: time

    def __str__(self) -> str:
        end = "24:00" if self.end == time.max else f"{self.end:%H:%M}"
        return f"{self.start:%H:%M}-{end}"


@dataclass(frozen=True)
class Settings:
    """Everything mentorbot reads from its environment."""

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_API_URL
    # Many workspaces: the app's OAuth credentials instead of one bot token.
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_redirect_uri: str | None = None
    # Fernet keys that encrypt workspace tokens at rest (OAuth): the first encrypts.
    token_keys: tuple[str, ...] = ()
    database_url: str = DEFAULT_DATABASE_URL
    coordinators: tuple[str, ...] = ()
    timezone: str = "UTC"
    working_hours: WorkingHours = field(default_factory=lambda: WorkingHours(time(9), time(18)))
    workdays: frozenset[int] = frozenset(range(5))
    # The workspace's public holidays (`GB`, `US-CA`), for people who chose none of their own.
    holidays: str | None = None
    # What makes a Slack status say its person is away (their DMs wait): emoji, and words or
    # phrases in its text.
    away_emoji: tuple[str, ...] = DEFAULT_EMOJI
    away_words: tuple[str, ...] = DEFAULT_WORDS
    # Where people reach the web process (`https://mentorbot.example.com`): calendar feeds'
    # links are made with it; None turns the feeds off.
    public_url: str | None = None
    port: int = 3000
    log_level: str = "INFO"
    log_format: str = "text"
    # Prometheus metrics at GET /metrics (the web process, and the worker's listener on
    # `metrics_port`), behind `Authorization: Bearer <metrics_token>` when one is set.
    metrics: bool = False
    metrics_token: str | None = None
    metrics_port: int = 9464
    # The words people wrote are deleted this many days after their pair or cohort ended;
    # None keeps them until someone deletes their data.
    retention_days: int | None = None
    # The language of people whose own is not one mentorbot speaks, and of channel posts.
    language: str = "en"
    delivery_lease: timedelta = timedelta(minutes=5)
    # Messages a worker sends side by side (its sending lanes).
    send_concurrency: int = 8
    # How often a workspace's conversation history may be read to find a message that may
    # have arrived; None: once a minute with OAuth (Slack's limit for apps outside its
    # Marketplace), else as often as Slack answers.
    history_lookup_every: timedelta | None = None
    # Meeting prompts arrive this long before a meeting (within the reader's working hours).
    prompt_lead: timedelta = timedelta(hours=24)
    # A quiet pair's mentee is nudged after its cadence plus this grace.
    nudge_grace: timedelta = timedelta(days=3)
    # A midpoint or closing survey round stays open this long; its results come after.
    survey_length: timedelta = timedelta(days=7)

    @property
    def socket_mode(self) -> bool:
        """True when an app-level token asks for Socket Mode instead of HTTP."""
        return bool(self.slack_app_token)

    @property
    def oauth(self) -> bool:
        """True when workspaces install the app with OAuth (many workspaces, one token each)."""
        return bool(self.slack_client_id)

    @property
    def history_every(self) -> timedelta:
        """How often one workspace's conversation history may be read (see the field)."""
        if self.history_lookup_every is not None:
            return self.history_lookup_every
        return timedelta(minutes=1) if self.oauth else timedelta(0)

    @property
    def feed_key(self) -> bytes:
        """The secret calendar feeds' tokens are derived from: the app's signing secret (or,
        in Socket Mode without one, its app-level token, else its bot token)."""
        secret = self.slack_signing_secret or self.slack_app_token or self.slack_bot_token or "demo"
        return f"mentorbot calendar feeds\0{secret}".encode()

    @property
    def cookie_key(self) -> bytes:
        """The secret the dashboard's session cookies are signed with (from the same secret
        as `feed_key`, for another purpose)."""
        secret = self.slack_signing_secret or self.slack_app_token or self.slack_bot_token or "demo"
        return f"mentorbot dashboard cookies\0{secret}".encode()

    @property
    def zone(self) -> ZoneInfo:
        """The default time zone for people whose Slack profile has none."""
        return ZoneInfo(self.timezone)

    def require_for_run(self) -> None:
        """Check the settings `mentorbot run` needs beyond the defaults."""
        if self.oauth:
            if not self.slack_signing_secret:
                raise SettingsError(
                    "SLACK_SIGNING_SECRET is not set: with SLACK_CLIENT_ID (installs over OAuth) "
                    "copy the Signing Secret from your Slack app's Basic Information page."
                )
            return
        if not self.slack_bot_token:
            raise SettingsError(
                "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from your "
                "Slack app's OAuth & Permissions page, or run `mentorbot demo` to try it "
                "without Slack."
            )
        if not self.socket_mode and not self.slack_signing_secret:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is not set: copy the Signing Secret from your Slack app's "
                "Basic Information page (or set SLACK_APP_TOKEN to use Socket Mode)."
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Build settings from an environment mapping; raise SettingsError on a bad value."""

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        bot_token = get("SLACK_BOT_TOKEN")
        if bot_token is not None and not bot_token.startswith("xoxb-"):
            raise SettingsError(
                "SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-' "
                "(OAuth & Permissions > Bot User OAuth Token)."
            )
        app_token = get("SLACK_APP_TOKEN")
        if app_token is not None and not app_token.startswith("xapp-"):
            raise SettingsError(
                "SLACK_APP_TOKEN must be an app-level token starting with 'xapp-' "
                "(Basic Information > App-Level Tokens, scope connections:write); "
                "unset it to receive requests over HTTP."
            )
        client_id, client_secret = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET")
        _check_oauth(bot_token, app_token, client_id, client_secret)
        if client_id and get("MENTORBOT_COORDINATORS"):
            raise SettingsError(
                "MENTORBOT_COORDINATORS names people of one workspace, but SLACK_CLIENT_ID "
                "serves many: unset it. With OAuth installs the person who installs mentorbot "
                "becomes its first coordinator and adds others with /mentoring coordinator add."
            )
        token_keys = _token_keys(get("MENTORBOT_TOKEN_KEY") or "")
        if client_id and not token_keys:
            raise SettingsError(
                "MENTORBOT_TOKEN_KEY is not set: with SLACK_CLIENT_ID, workspace tokens are kept "
                'encrypted with it. Make one with: python -c "from cryptography.fernet import '
                'Fernet; print(Fernet.generate_key().decode())" and keep it secret and safe.'
            )
        redirect_uri = get("SLACK_REDIRECT_URI")
        if redirect_uri is not None and not re.match(r"^https?://[^/\s]+/", redirect_uri):
            raise SettingsError(
                "SLACK_REDIRECT_URI must be the full URL of /slack/oauth_redirect on your server, "
                f"such as https://mentorbot.example.com/slack/oauth_redirect, not {redirect_uri!r}."
            )
        return cls(
            slack_bot_token=bot_token,
            slack_client_id=client_id,
            slack_client_secret=client_secret,
            slack_redirect_uri=redirect_uri,
            token_keys=token_keys,
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=app_token,
            slack_api_url=_api_url(get("SLACK_API_URL") or DEFAULT_API_URL),
            database_url=_database_url(get("MENTORBOT_DATABASE_URL") or DEFAULT_DATABASE_URL),
            coordinators=_coordinators(get("MENTORBOT_COORDINATORS") or ""),
            timezone=_timezone(get("MENTORBOT_TIMEZONE") or "UTC"),
            working_hours=parse_working_hours(
                get("MENTORBOT_WORKING_HOURS") or "09:00-18:00", "MENTORBOT_WORKING_HOURS"
            ),
            workdays=parse_workdays(get("MENTORBOT_WORKDAYS") or "mon-fri", "MENTORBOT_WORKDAYS"),
            holidays=_holidays(get("MENTORBOT_HOLIDAYS") or ""),
            public_url=_public_url(get("MENTORBOT_PUBLIC_URL")),
            away_emoji=_away_emoji(get("MENTORBOT_AWAY_EMOJI")),
            away_words=_away_words(get("MENTORBOT_AWAY_WORDS")),
            port=_port(get("PORT") or "3000", "PORT"),
            log_level=_log_level(get("MENTORBOT_LOG_LEVEL") or "INFO"),
            log_format=_log_format(get("MENTORBOT_LOG_FORMAT") or "text"),
            metrics=_switch(get("MENTORBOT_METRICS") or "off", "MENTORBOT_METRICS"),
            metrics_token=get("MENTORBOT_METRICS_TOKEN"),
            metrics_port=_port(get("MENTORBOT_METRICS_PORT") or "9464", "MENTORBOT_METRICS_PORT"),
            retention_days=_retention(get("MENTORBOT_RETENTION_DAYS") or "off"),
            language=_language(get("MENTORBOT_LANGUAGE") or "en"),
            delivery_lease=_lease(get("MENTORBOT_DELIVERY_LEASE_SECONDS") or "300"),
            send_concurrency=_whole(
                get("MENTORBOT_SEND_CONCURRENCY") or "8",
                "MENTORBOT_SEND_CONCURRENCY",
                "messages each worker sends side by side",
                low=1,
                high=64,
                unit=1,
            ),
            history_lookup_every=_optional_seconds(
                get("MENTORBOT_HISTORY_LOOKUP_SECONDS"),
                "MENTORBOT_HISTORY_LOOKUP_SECONDS",
                "seconds between two looks in one workspace's conversation history",
            ),
            prompt_lead=_whole(
                get("MENTORBOT_PROMPT_LEAD_HOURS") or "24",
                "MENTORBOT_PROMPT_LEAD_HOURS",
                "hours before a meeting that its prompts arrive",
                low=1,
                high=168,
                unit=timedelta(hours=1),
            ),
            nudge_grace=_whole(
                get("MENTORBOT_NUDGE_GRACE_DAYS") or "3",
                "MENTORBOT_NUDGE_GRACE_DAYS",
                "days past a pair's cadence before its mentee is nudged to check in",
                low=0,
                high=30,
                unit=timedelta(days=1),
            ),
            survey_length=_whole(
                get("MENTORBOT_SURVEY_DAYS") or "7",
                "MENTORBOT_SURVEY_DAYS",
                "days a midpoint or closing survey stays open before its results are shown",
                low=1,
                high=30,
                unit=timedelta(days=1),
            ),
        )


def _check_oauth(
    bot_token: str | None, app_token: str | None, client_id: str | None, secret: str | None
) -> None:
    """One workspace (a bot token) or many (OAuth credentials), and both halves of OAuth."""
    if bool(client_id) != bool(secret):
        missing = "SLACK_CLIENT_SECRET" if client_id else "SLACK_CLIENT_ID"
        raise SettingsError(
            f"{missing} is not set: installing in many workspaces needs both SLACK_CLIENT_ID and "
            "SLACK_CLIENT_SECRET (Basic Information > App Credentials)."
        )
    if client_id and bot_token:
        raise SettingsError(
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: use SLACK_BOT_TOKEN for one "
            "workspace, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for workspaces that install "
            "mentorbot over OAuth; unset the other."
        )
    if client_id and app_token:
        raise SettingsError(
            "SLACK_APP_TOKEN (Socket Mode) cannot be used with SLACK_CLIENT_ID: installing over "
            "OAuth needs an HTTP server Slack can reach. Unset SLACK_APP_TOKEN."
        )


def _token_keys(value: str) -> tuple[str, ...]:
    """Comma-separated Fernet keys (32 bytes, url-safe base64); the first one encrypts."""
    from cryptography.fernet import Fernet

    keys = tuple(part.strip() for part in value.split(",") if part.strip())
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except ValueError:
            raise SettingsError(
                f"MENTORBOT_TOKEN_KEY: key {number} is not a Fernet key (32 bytes in url-safe "
                'base64, 44 characters); make one with: python -c "from cryptography.fernet '
                'import Fernet; print(Fernet.generate_key().decode())"'
            ) from None
    return keys


def _api_url(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value):
        raise SettingsError(
            f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_API_URL}, not {value!r}."
        )
    return value if value.endswith("/") else value + "/"


def _database_url(value: str) -> str:
    scheme, separator, rest = value.partition("://")
    if not separator:
        scheme = ""
    if scheme == "sqlite":
        return value
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        # psycopg 3 is the driver mentorbot ships; SQLAlchemy would otherwise look for psycopg2.
        return "postgresql+psycopg://" + rest
    raise SettingsError(
        "MENTORBOT_DATABASE_URL must be sqlite:///path/to/file.db or "
        "postgresql://user:password@host/dbname (the psycopg 3 driver is included), "
        f"not one starting {scheme + '://' if scheme else repr(value[:20])}."
    )


def _coordinators(value: str) -> tuple[str, ...]:
    ids = tuple(part.strip() for part in value.split(",") if part.strip())
    for user_id in ids:
        if not _USER_ID.match(user_id):
            raise SettingsError(
                f"MENTORBOT_COORDINATORS must list Slack user IDs such as U012AB3CD, separated by "
                f"commas; {user_id!r} is not one (find an ID in a profile: ... > Copy member ID)."
            )
    return ids


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"MENTORBOT_TIMEZONE must be an IANA time zone such as Europe/London or "
            f"America/New_York, not {value!r}."
        ) from None
    return value


def _away_emoji(value: str | None) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_EMOJI
    if value.lower() == "none":
        return ()
    try:
        return parse_emoji(value, "MENTORBOT_AWAY_EMOJI")
    except ValueError as error:
        raise SettingsError(f"{error} Or none, for no emoji.") from None


def _away_words(value: str | None) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_WORDS
    return () if value.lower() == "none" else parse_words(value)


def _public_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", value):
        raise SettingsError(
            "MENTORBOT_PUBLIC_URL must be the address people reach mentorbot's web process "
            f"at, such as https://mentorbot.example.com, not {value!r}."
        )
    return value.rstrip("/")


def _holidays(value: str) -> str | None:
    try:
        calendar = parse_calendar(value)
    except UnknownCalendar as error:
        raise SettingsError(
            f"MENTORBOT_HOLIDAYS must be a country code, optionally with a subdivision, such "
            f"as GB or US-CA, or none: {error}."
        ) from None
    return str(calendar) if calendar else None


def parse_working_hours(value: str, name: str) -> WorkingHours:
    """Parse `HH:MM-HH:MM` (start before end) into WorkingHours."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", value)
    error = SettingsError(
        f"{name} must be a daily window like 09:00-18:00 (start before end), not {value!r}."
    )
    if not match:
        raise error
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if not (h1 < 24 and (h2 < 24 or (h2, m2) == (24, 0)) and m1 < 60 and m2 < 60):
        raise error
    start = time(h1, m1)
    end = time.max if h2 == 24 else time(h2, m2)  # 24:00: until midnight
    if start >= end:
        raise error
    return WorkingHours(start, end)


def parse_workdays(value: str, name: str) -> frozenset[int]:
    """Parse `mon-fri`, `sun-thu` or `mon,tue,thu` into weekday numbers (Monday is 0)."""
    error = SettingsError(
        f"{name} must name weekdays like mon-fri or mon,tue,thu (using "
        f"{', '.join(WEEKDAYS)}), not {value!r}."
    )
    days: set[int] = set()
    for part in value.lower().split(","):
        part = part.strip()
        if "-" in part:
            first, _, last = (p.strip() for p in part.partition("-"))
            if first not in WEEKDAYS or last not in WEEKDAYS:
                raise error
            a, b = WEEKDAYS.index(first), WEEKDAYS.index(last)
            # A range may wrap past Sunday: sun-thu is Sunday to Thursday.
            days.update(day % 7 for day in range(a, b + 1 if b >= a else b + 8))
        elif part in WEEKDAYS:
            days.add(WEEKDAYS.index(part))
        else:
            raise error
    return frozenset(days)


def _port(value: str, name: str) -> int:
    if not is_whole_number(value) or not 0 < int(value) < 65536:
        raise SettingsError(f"{name} must be a TCP port number between 1 and 65535, not {value!r}.")
    return int(value)


def _switch(value: str, name: str) -> bool:
    found = value.strip().lower()
    if found in ("on", "true", "yes", "1"):
        return True
    if found in ("off", "false", "no", "0"):
        return False
    raise SettingsError(f"{name} must be on or off, not {value!r}.")


def _retention(value: str) -> int | None:
    if value.strip().lower() == "off":
        return None
    if not is_whole_number(value) or not 1 <= int(value) <= 3650:
        raise SettingsError(
            "MENTORBOT_RETENTION_DAYS must be off or a whole number of days from 1 to 3650 (how "
            "long after a pair or cohort ends the words people wrote are kept), "
            f"not {value!r}."
        )
    return int(value)


def _language(value: str) -> str:
    found = languages.supported(value)
    if found is None:
        raise SettingsError(
            "MENTORBOT_LANGUAGE must be a language mentorbot speaks "
            f"({', '.join(languages.available())}), not {value!r}."
        )
    return found


def _log_format(value: str) -> str:
    found = value.strip().lower()
    if found not in ("text", "json"):
        raise SettingsError(f"MENTORBOT_LOG_FORMAT must be text or json, not {value!r}.")
    return found


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in LOG_LEVELS:
        raise SettingsError(
            f"MENTORBOT_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}."
        )
    return level


def _lease(value: str) -> timedelta:
    if not is_whole_number(value) or not 1 <= int(value) <= 3600:
        raise SettingsError(
            "MENTORBOT_DELIVERY_LEASE_SECONDS must be a whole number of seconds from 1 to 3600 "
            f"(how long a sender may hold a message before another takes it over), not {value!r}."
        )
    return timedelta(seconds=int(value))


_Unit = TypeVar("_Unit", int, timedelta)


def _whole(value: str, name: str, meaning: str, *, low: int, high: int, unit: _Unit) -> _Unit:
    if not is_whole_number(value) or not low <= int(value) <= high:
        raise SettingsError(
            f"{name} must be a whole number from {low} to {high} ({meaning}), not {value!r}."
        )
    return int(value) * unit


def _optional_seconds(value: str | None, name: str, meaning: str) -> timedelta | None:
    if value is None or not value.strip():
        return None
    return _whole(value.strip(), name, meaning, low=0, high=3600, unit=timedelta(seconds=1))
