"""A campaign previewed before anything is sent: what the import would keep, and its cost."""

from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy import Engine

from config.settings import Settings, get_settings
from producer import campaigns as creating
from producer.ad_checks import AdChecks, ad_checks
from producer.loading import ProgressFn, load_rows
from producer.measuring import MeasuringComposer, PreviewLoader
from producer.pricing import cost_of, price_of
from producer.routes import Route
from producer.sendtime import ProviderTime, longest, send_times
from producer.spec import CampaignSpec
from worker.db import campaigns
from worker.db.engine import get_engine
from worker.db.previews import Group, Scratch, scratch
from worker.domain.messages import MessageType
from worker.domain.phones import mask

KINDS = tuple(kind.value for kind in MessageType)  # SMS, LMS, MMS, INTL
# Upper bounds (EUC-KR bytes) of the size histogram's buckets: half an SMS, an SMS (90), then
# LMS sizes up to its 2,000.
BUCKETS = (45, 90, 200, 500, 1000, 2000)
SHOWN_REJECTS = 10
SHOWN_GROWN = 5


@dataclass(frozen=True, slots=True)
class TypeCost:
    """Sendable recipients of one type, the provider they go through and what they cost."""

    kind: str
    provider: str | None  # None: no provider of the campaign can carry them
    recipients: int
    parts: int  # SMS parts abroad (INTL); 0 for the Korean types
    price: float | None  # KRW a message (a part, where priced so); None: no price set
    cost: float | None


@dataclass(frozen=True, slots=True)
class Grown:
    """A row that became an LMS only once its variables were filled in."""

    line: int
    number: str  # masked
    size: int  # EUC-KR bytes


@dataclass
class Preview:
    """What creating the campaign would store and send, and what sending it would cost.

    Counts are the import's own: each number counts by its first row (the one the import
    keeps), so types, sizes and costs are those of the sendable recipients (suppressed and
    repeated numbers left out), exactly as create_campaign stores them.
    """

    read: int = 0
    rejected: int = 0
    errors: list[creating.RowError] = field(default_factory=list)  # the first SHOWN_REJECTS
    duplicates: int = 0
    suppressed: int = 0
    sendable: int = 0
    types: list[TypeCost] = field(default_factory=list)
    grown: int = 0
    grown_examples: list[Grown] = field(default_factory=list)
    # Messages of the Korean types by EUC-KR size: (label, count), one per bucket.
    histogram: list[tuple[str, int]] = field(default_factory=list)
    ads: AdChecks | None = None
    times: list[ProviderTime] = field(default_factory=list)

    @property
    def by_type(self) -> dict[str, int]:
        """Sendable recipients by message type."""
        return {line.kind: line.recipients for line in self.types}

    @property
    def abroad(self) -> tuple[int, int]:
        """Sendable recipients abroad and the SMS parts their messages take."""
        lines = [line for line in self.types if line.kind == "INTL"]
        return sum(line.recipients for line in lines), sum(line.parts for line in lines)

    @property
    def parts_each(self) -> float:
        """SMS parts a recipient abroad takes on average (0 with none)."""
        recipients, parts = self.abroad
        return parts / recipients if recipients else 0.0

    @property
    def cost(self) -> float:
        """Estimated KRW of what can be priced (`priced` says whether that is everything)."""
        return sum(line.cost or 0.0 for line in self.types)

    @property
    def priced(self) -> bool:
        """Every type has a provider and a price."""
        return all(line.cost is not None for line in self.types)

    @property
    def send_seconds(self) -> float:
        """Estimated time to send: the slowest provider's."""
        return longest(self.times)


class _Rejects:
    """Counts rejected rows and keeps the first few (line and reason)."""

    def __init__(self) -> None:
        self.count = 0
        self.first: list[creating.RowError] = []

    def add(self, line: int, raw: str, reason: str) -> None:
        self.count += 1
        if len(self.first) < SHOWN_REJECTS:
            self.first.append(creating.RowError(line, reason))


def preview_campaign(
    spec: CampaignSpec,
    source: creating.Source,
    settings: Settings | None = None,
    progress: ProgressFn | None = None,
) -> Preview:
    """Check the spec and read every row as create_campaign would, storing nothing.

    SpecError (or a source's error) as create_campaign raises it. Memory stays flat: the
    numbers stream into a temporary table that is rolled back, and SQL counts repeats and
    suppressed numbers there.
    """
    settings = settings or get_settings()
    spec = _chosen(spec, settings)
    with source.open() as table:
        # The import's own checks, in its order (composer: the template against the header).
        creating.composer(spec, table)
        numbers = creating.numbers(spec, table, settings)
        creating.images(spec, settings)
        composer = MeasuringComposer(spec, table)
        rejects = _Rejects()
        with scratch(get_engine(settings.database_url)) as kept:
            loader = PreviewLoader(kept, table.columns.phone, composer.notes)
            read = load_rows(table, composer, loader, rejects.add, progress, numbers)
            preview = _counted(kept, loader.rows, spec, settings)
    preview.read, preview.rejected, preview.errors = read, rejects.count, rejects.first
    return preview


def _chosen(spec: CampaignSpec, settings: Settings) -> CampaignSpec:
    """The spec with its provider chosen; SpecError when that cannot be (as the import)."""
    try:
        return spec.for_settings(settings)
    except ValidationError:
        raise
    except ValueError as exc:
        raise creating.SpecError(str(exc)) from None


def _counted(kept: Scratch, rows: int, spec: CampaignSpec, settings: Settings) -> Preview:
    """The preview of the rows in the scratch table (`rows` of them)."""
    groups = kept.groups(BUCKETS)
    sendable = [group for group in groups if not group.listed]
    distinct = sum(group.count for group in groups)
    to_send = sum(group.count for group in sendable)
    types = _type_costs(Route.of(spec), settings, _by_kind(sendable))
    return Preview(
        duplicates=rows - distinct,
        suppressed=distinct - to_send,
        sendable=to_send,
        types=types,
        grown=sum(group.count for group in sendable if group.grew),
        grown_examples=[
            Grown(line, mask(phone), size) for line, phone, size in kept.grown(SHOWN_GROWN)
        ],
        histogram=_histogram(sendable),
        ads=ad_checks(spec),
        times=_times(settings, types),
    )


def _by_kind(groups: list[Group]) -> dict[str, tuple[int, int]]:
    """(recipients, SMS parts) by message type."""
    counts: dict[str, tuple[int, int]] = {}
    for group in groups:
        recipients, parts = counts.get(group.kind, (0, 0))
        counts[group.kind] = (recipients + group.count, parts + group.parts)
    return counts


def _histogram(groups: list[Group]) -> list[tuple[str, int]]:
    """Messages per size bucket, every bucket listed (empty ones too)."""
    counts = [0] * (len(BUCKETS) + 1)
    for group in groups:
        if group.bucket is not None:
            counts[group.bucket] += group.count
    lows = (0, *(bound + 1 for bound in BUCKETS[:-1]))
    # counts holds one past the last bound, always 0: the import refuses more than 2,000 bytes.
    pairs = zip(lows, BUCKETS, counts, strict=False)
    return [(f"{low}-{high}", count) for low, high, count in pairs]


def _type_costs(
    route: Route, settings: Settings, counts: dict[str, tuple[int, int]]
) -> list[TypeCost]:
    """Per type with recipients (SMS, LMS, MMS, INTL order): provider, price and cost."""
    lines = []
    for kind in KINDS:
        recipients, parts = counts.get(kind, (0, 0))
        if recipients:
            provider = route.provider_for(kind, settings)
            price = None if provider is None else price_of(settings, provider, kind)
            cost = cost_of(settings, provider, kind, recipients, parts)
            lines.append(TypeCost(kind, provider, recipients, parts, price, cost))
    return lines


def _times(settings: Settings, types: list[TypeCost]) -> list[ProviderTime]:
    shares = [(line.provider, line.kind, line.recipients) for line in types if line.provider]
    return send_times(settings, shares)


def imported_preview(
    engine: Engine, report: creating.ImportReport, settings: Settings | None = None
) -> Preview:
    """The preview's counts, cost and time of a campaign just created, from its import
    report and one count of its recipients by type (no size histogram, no examples)."""
    settings = settings or get_settings()
    with engine.connect() as conn:
        campaign = campaigns.get(conn, report.campaign_id)
        counts = campaigns.type_counts(conn, report.campaign_id, sendable_only=True)
    each = report.abroad_parts / report.abroad if report.abroad else 1.0
    kinds = {kind: (n, round(n * each) if kind == "INTL" else 0) for kind, n in counts.items()}
    types = _type_costs(Route.of(campaign), settings, kinds)
    return Preview(
        read=report.read,
        rejected=report.rejected,
        errors=report.errors[:SHOWN_REJECTS],
        duplicates=report.duplicates,
        suppressed=report.suppressed,
        sendable=report.imported - report.suppressed,
        types=types,
        times=_times(settings, types),
    )
