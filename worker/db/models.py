"""The tables: campaign, recipient, batch, delivery attempt, suppression and polling state."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from worker.db.types import BigId, UTCDateTime, utcnow


# The two helpers below run once, when the classes are defined: a mutation test, which swaps a
# function's body after import, cannot reach them (the migrations are the schema's source).
def _ts() -> Any:
    """An optional tz-aware timestamp column."""
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))  # pragma: no mutate


def _created() -> Any:
    """A creation timestamp, set by the application in UTC."""
    column = Column(UTCDateTime(), nullable=False)  # pragma: no mutate
    return Field(default_factory=utcnow, sa_column=column)  # pragma: no mutate


class Campaign(SQLModel, table=True):
    """One message template sent from one sender to many recipients."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    provider: str = Field(max_length=20)
    message_type: str = Field(max_length=8)  # SMS | LMS | MMS | AUTO
    content_type: str = Field(default="COMM", max_length=8)
    # An AD campaign may send during the quiet hours only with the recipients' night consent.
    night_consent: bool = False
    sender: str = Field(max_length=20)
    subject: str | None = Field(default=None, max_length=120)
    template: str
    country_code: str = Field(default="82", max_length=4)
    status: str = Field(default="draft", max_length=20, index=True)
    # A re-send campaign's parent: its recipients were chosen from the parent's outcomes.
    parent_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    # While paused: the status it was paused from, which resume brings back.
    paused_from: str | None = Field(default=None, max_length=20)
    paused_at: datetime | None = _ts()
    total_recipients: int = 0
    created_at: datetime = _created()
    queued_at: datetime | None = _ts()
    # A campaign set for later: "wait" keeps it in the database until due; "reserve" hands
    # the time to the provider (SENS reserveTime) at once.
    scheduled_at: datetime | None = _ts()
    schedule_mode: str | None = Field(default=None, max_length=10)
    # No re-send is scheduled past this time.
    deadline_at: datetime | None = _ts()
    # When the last recipient was imported, and when the last one was cut into a batch:
    # planning may start on the import's first committed chunk and ends after both.
    imported_at: datetime | None = _ts()
    # The running import stamps this every few seconds; a stale stamp means its producer died.
    import_alive_at: datetime | None = _ts()
    planned_at: datetime | None = _ts()
    completed_at: datetime | None = _ts()
    # Recipients abroad and the SMS parts (GSM-7 / UCS-2) their messages take, counted when
    # the import ends (producer/parts.py); None before, or for a campaign made without.
    abroad_recipients: int | None = None
    abroad_parts: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    # Given by the caller: a second create with the same key finds this campaign instead.
    idempotency_key: str | None = Field(default=None, max_length=100, unique=True, index=True)


class Batch(SQLModel, table=True):
    """One provider request: up to the provider's batch size of recipients.

    A first send holds the campaign's pending recipients of its type with ids first_id to
    last_id; a re-send lists its members by recipient.batch_id (first_id is NULL). `settled`
    counts members whose own row was written since (worker/db/members.py).
    """

    __table_args__ = (
        Index("ix_batch_due", "status", "next_attempt_at"),
        Index("ix_batch_poll", "provider", "status", "next_poll_at"),
        Index("ix_batch_campaign", "campaign_id", "status"),
        # Two planners racing over the same recipients cut the same first ids: one wins.
        UniqueConstraint("campaign_id", "message_type", "first_id", name="uq_batch_range"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id")
    provider: str = Field(max_length=20)
    message_type: str = Field(max_length=8)
    attempt: int = 1
    status: str = Field(default="planned", max_length=20)
    recipient_count: int = 0
    first_id: int | None = Field(default=None, sa_column=Column(BigId, nullable=True))
    last_id: int | None = Field(default=None, sa_column=Column(BigId, nullable=True))
    settled: int = 0
    send_attempts: int = 0
    request_id: str | None = Field(default=None, max_length=100, index=True)
    http_status: int | None = None
    error_code: str | None = Field(default=None, max_length=40)
    error_message: str | None = Field(default=None, max_length=500)
    created_at: datetime = _created()
    lease_until: datetime | None = _ts()
    # When the last send was claimed: a send whose answer was lost is looked up at the
    # provider around this time (worker/services/reconciling.py), `lookups` times so far.
    claimed_at: datetime | None = _ts()
    lookups: int = 0
    next_attempt_at: datetime | None = _ts()
    sent_at: datetime | None = _ts()
    next_poll_at: datetime | None = _ts()
    poll_count: int = 0
    # A request the provider holds until this time (SENS reservation), and its last status.
    reserve_time: datetime | None = _ts()
    reserve_status: str | None = Field(default=None, max_length=20)
    completed_at: datetime | None = _ts()


class Recipient(SQLModel, table=True):
    """One number of one campaign, with its variables, status and last result."""

    __table_args__ = (
        UniqueConstraint("campaign_id", "phone", name="uq_recipient_campaign_phone"),
        # Planning reads one type's pending ids in order; without the type in the key, the
        # pass for a type a campaign lacks walked every pending row (docs/performance.md).
        Index("ix_recipient_campaign_status", "campaign_id", "status", "message_type", "id"),
        # Partial: only rows looked up by their batch enter it (members of a re-send, and
        # expired rows a late result may still find), so neither an imported row nor a
        # final result pays for an index entry (docs/performance.md).
        Index(
            "ix_recipient_batch",
            "batch_id",
            "status",
            postgresql_where=text("status IN ('batched', 'expired')"),
            sqlite_where=text("status IN ('batched', 'expired')"),
        ),
        Index(
            "ix_recipient_retry_due",
            "next_attempt_at",
            postgresql_where=text("status = 'retry_wait'"),
            sqlite_where=text("status = 'retry_wait'"),
        ),
    )

    id: int | None = Field(
        default=None, sa_column=Column(BigId, primary_key=True, autoincrement=True)
    )
    # No foreign keys on the two big tables: their per-row trigger checks cost more than the
    # whole COPY of a row. Rows are only ever written by code that holds the parent's id.
    campaign_id: int = Field(sa_column=Column(Integer, nullable=False))
    phone: str = Field(max_length=20)
    variables: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    message_type: str = Field(max_length=8)
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    batch_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    message_id: str | None = Field(default=None, max_length=100)
    result_code: str | None = Field(default=None, max_length=20)
    # The code table result_code comes from (codes collide across a provider's tables).
    result_family: str | None = Field(default=None, max_length=20)
    result_outcome: str | None = Field(default=None, max_length=20)
    telco: str | None = Field(default=None, max_length=20)
    # When a retry_wait recipient is due to be sent again.
    next_attempt_at: datetime | None = _ts()
    completed_at: datetime | None = _ts()


class InboxEvent(SQLModel, table=True):
    """One webhook call as it arrived, stored before it is answered; applied later in bulk."""

    __tablename__ = "inbox_event"
    __table_args__ = (Index("ix_inbox_event_state", "state", "id"),)

    id: int | None = Field(default=None, sa_column=Column(BigId, primary_key=True))
    provider: str = Field(max_length=20)
    received_at: datetime = _created()
    # The body as received (JSON text): nothing is lost if parsing it later fails.
    body: str
    # new → applied | unmatched (some results name no batch we know) | invalid (unreadable)
    state: str = Field(default="new", max_length=20)
    # A new event that named a batch not yet accepted is taken again from this time on.
    due_at: datetime | None = _ts()
    applied_at: datetime | None = _ts()
    note: str | None = Field(default=None, max_length=500)


class Suppression(SQLModel, table=True):
    """A number never to message again, with why and where we learned it."""

    id: int | None = Field(default=None, primary_key=True)
    phone: str = Field(max_length=20, unique=True)
    reason: str = Field(max_length=200)
    source: str = Field(max_length=40)
    created_at: datetime = _created()


class DeliveryAttempt(SQLModel, table=True):
    """One provider result for one recipient on one attempt: the history behind a report."""

    __tablename__ = "delivery_attempt"
    # Keyed by (batch, number): a result applied twice is kept once, and no surrogate key
    # costs a second index on every result.
    __table_args__ = (Index("ix_attempt_campaign", "campaign_id", "attempt"),)

    campaign_id: int = Field(sa_column=Column(Integer, nullable=False))
    batch_id: int = Field(sa_column=Column(Integer, primary_key=True))
    provider: str = Field(default="", max_length=20)
    phone: str = Field(primary_key=True, max_length=20)
    attempt: int
    code: str = Field(max_length=20)
    family: str = Field(default="", max_length=20)
    outcome: str = Field(max_length=20)
    message_id: str | None = Field(default=None, max_length=100)
    completed_at: datetime | None = _ts()


class PollWatermark(SQLModel, table=True):
    """How far a provider's results have been swept by completion time."""

    __tablename__ = "poll_watermark"

    provider: str = Field(primary_key=True, max_length=20)
    complete_until: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = _created()


class PollRound(SQLModel, table=True):
    """One polling round: which mode ran and what it cost in provider calls."""

    __tablename__ = "poll_round"
    __table_args__ = (Index("ix_poll_round_provider", "provider", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=20)
    mode: str = Field(max_length=20)
    started_at: datetime = _created()
    calls: int = 0
    results: int = 0
    batches: int = 0
    expired: int = 0


class CampaignImage(SQLModel, table=True):
    """An MMS image of a campaign, kept with it: any worker uploads it from here."""

    __tablename__ = "campaign_image"
    __table_args__ = (UniqueConstraint("campaign_id", "position", name="uq_campaign_image"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(sa_column=Column(Integer, nullable=False))
    position: int = 0  # the order the provider shows them in
    name: str = Field(max_length=100)
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class ProviderFile(SQLModel, table=True):
    """An image uploaded to a provider, by content hash: reused until it expires."""

    __tablename__ = "provider_file"
    __table_args__ = (UniqueConstraint("provider", "sha256", name="uq_provider_file"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=20)
    sha256: str = Field(max_length=64)
    file_id: str = Field(max_length=100)
    uploaded_at: datetime = _created()
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ApiKey(SQLModel, table=True):
    """A key of the HTTP API: its SHA-256 only (keys are 256-bit random, so a plain hash is
    enough), shown once when created."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, index=True)
    digest: str = Field(max_length=64, unique=True)
    created_at: datetime = _created()
    revoked_at: datetime | None = _ts()
