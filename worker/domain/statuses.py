"""The states of campaigns, recipients and batches, and which of them are final."""

from enum import StrEnum


class CampaignStatus(StrEnum):
    """draft → [scheduled →] queued → dispatching → awaiting_results → completed.

    Any open state → cancelling → cancelled (reservations are withdrawn first).
    """

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    QUEUED = "queued"
    DISPATCHING = "dispatching"
    AWAITING_RESULTS = "awaiting_results"
    COMPLETED = "completed"
    PAUSED = "paused"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"


class RecipientStatus(StrEnum):
    """pending → batched → accepted → delivered | failed | retry_wait | expired.

    Stored rows say pending (imported, or an open member of a first send's batch), batched
    (an open member of a re-send's batch) or their own outcome; `batched` and `accepted` in
    reports come from the batch an open member is in (worker/db/members.py).
    """

    PENDING = "pending"
    BATCHED = "batched"
    ACCEPTED = "accepted"
    DELIVERED = "delivered"
    FAILED = "failed"
    RETRY_WAIT = "retry_wait"
    EXPIRED = "expired"
    SUPPRESSED = "suppressed"
    CANCELLED = "cancelled"
    # The provider may or may not have sent it, and cannot be asked: an operator decides.
    UNKNOWN = "unknown"


class BatchStatus(StrEnum):
    """planned → sending → accepted → completed; or rejected; or retry → planned.

    sending → unsure when the provider may hold the request though its answer never came
    (a read timeout, a worker that died mid-call): the provider is asked before anything is
    sent again, and the batch → accepted (found), retry (positively not there) or unknown
    (the provider cannot be asked).
    """

    PLANNED = "planned"
    SENDING = "sending"
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    REJECTED = "rejected"
    RETRY = "retry"
    CANCELLED = "cancelled"
    UNSURE = "unsure"
    UNKNOWN = "unknown"
    # Never sent: its recipients were cut into batches of another provider (failover).
    REROUTED = "rerouted"


FINAL_RECIPIENT_STATUSES: frozenset[RecipientStatus] = frozenset(
    {
        RecipientStatus.DELIVERED,
        RecipientStatus.FAILED,
        RecipientStatus.EXPIRED,
        RecipientStatus.SUPPRESSED,
        RecipientStatus.CANCELLED,
        RecipientStatus.UNKNOWN,
    }
)
