"""API PLEX GMS v2 codes the simulator reports: seed-000 result codes, seed-001 service errors."""

from dataclasses import dataclass

# Seed 000, "Message Status Group Code".
STATUS_GROUPS = {1: "PENDING", 2: "UNDELIVERABLE", 3: "DELIVERED", 4: "EXPIRED", 5: "REJECTED"}
DELIVERED_GROUP = 3
# Seed 001, "Service Error Group Code".
ERROR_GROUPS = {0: "NO_ERROR", 1: "HANDSET_ERRORS", 2: "USER_ERRORS", 3: "OPERATOR_ERRORS"}


@dataclass(frozen=True, slots=True)
class Status:
    """A seed-000 "Message Result Code (v2)" row: group, id, title, description, Charged."""

    group_id: int
    id: int
    name: str
    description: str
    charged: bool

    @property
    def group_name(self) -> str:
        """The seed-000 status group's name."""
        return STATUS_GROUPS[self.group_id]


@dataclass(frozen=True, slots=True)
class ServiceError:
    """A seed-001 "Service Error Code" row, with whether a re-send cannot help (`permanent`).

    Seed 001 has no `permanent` column (PROVIDERS.md names the webhook field): the simulator
    sets it true exactly where worker/domain/data/apiplex.csv classes the error `failed`.
    """

    group_id: int
    id: int
    name: str
    description: str
    permanent: bool

    @property
    def group_name(self) -> str:
        """The seed-001 service error group's name."""
        return ERROR_GROUPS[self.group_id]


def _statuses(*rows: Status) -> dict[int, Status]:
    return {row.id: row for row in rows}


def _errors(*rows: ServiceError) -> dict[int, ServiceError]:
    return {row.id: row for row in rows}


# The seed-000 result codes the simulator reports (titles and descriptions verbatim).
STATUSES = _statuses(
    Status(3, 2, "DELIVERED_TO_OPERATOR", "Delivered to the carrier", True),
    Status(1, 3, "PENDING_WAITING_DELIVERY", "Message sent, awaiting delivery reports", False),
    Status(2, 4, "UNDELIVERABLE_REJECTED_OPERATOR", "The carrier rejected the message", True),
    Status(3, 5, "DELIVERED_TO_HANDSET", "The message has been delivered to the handset", True),
    Status(2, 9, "UNDELIVERABLE_NOT_DELIVERED", "The sent message was not delivered", True),
    Status(5, 10, "REJECTED_DND", "The recipient is on the DND (Do Not Disturb) list", True),
    Status(4, 15, "EXPIRED_EXPIRED", "Message has expired", True),
    Status(5, 16, "REJECTED_NOT_REACHABLE", "Network connection unavailable", False),
    Status(1, 26, "PENDING_ACCEPTED", "Accepting in standby", False),
    Status(4, 29, "EXPIRED_DLR_UNKNOWN", "Unknown expired DLR", True),
    Status(5, 52, "REJECTED_DESTINATION", "Incorrect destination address", False),
)
# The seed-001 service errors the simulator reports (titles and descriptions verbatim).
ERRORS = _errors(
    ServiceError(0, 0, "NO_ERROR", "No error", False),
    ServiceError(1, 1, "EC_UNKNOWN_SUBSCRIBER", "Unknown subscriber", True),
    ServiceError(1, 27, "EC_ABSENT_SUBSCRIBER", "Absent subscriber", False),
    ServiceError(
        1, 31, "EC_SUBSCRIBER_BUSY_FOR_MT_SMS", "During subscriber call for MT SMS", False
    ),
    ServiceError(1, 34, "EC_SYSTEM_FAILURE", "System failure", False),
    ServiceError(
        2, 351, "EC_INVALID_DESTINATION_ADDRESS", "The destination address is incorrect", True
    ),
    ServiceError(
        2,
        352,
        "EC_INVALID_REQUEST_DESTINATION",
        "Destination address country code not recognized",
        True,
    ),
    ServiceError(2, 368, "EC_INVALID_SOURCE_ADDRESS", "Invalid source address value", True),
    ServiceError(
        2, 607, "EC_BLOCKED_AS_SPAM", "Message identified as spam and cannot be delivered", True
    ),
    ServiceError(
        3,
        815,
        "EC_MESSAGE_SUBMITTED_NOT_ACKED",
        "Submitted to the mobile operator but not confirmed",
        True,
    ),
    ServiceError(3, 2050, "EC_DEST_ADDRESS_BLACKLISTED", "DND blocked", True),
)

# What a send answers per message (seed 000: group 1 PENDING, 26 PENDING_ACCEPTED), and the
# interim record the out-of-order fault delivers late (3 PENDING_WAITING_DELIVERY).
ACCEPTED = STATUSES[26]
WAITING = STATUSES[3]
NO_ERROR = ERRORS[0]
# Request refusals (HTTP 400) that seed 001 has a code for.
INVALID_DESTINATION = ERRORS[351]  # a `to` that is not E.164
WRONG_COUNTRY = ERRORS[352]  # a +82 `to` on gms-kg, a non-+82 `to` on gms-gk
INVALID_SOURCE = ERRORS[368]  # a `from` that is neither digits nor E.164
