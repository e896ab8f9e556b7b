"""A row's phone number: Korean, or another country's where the campaign's providers send
abroad (read in its `country` column's region, or the campaign's default)."""

from dataclasses import dataclass

from config import providers
from config.settings import Settings
from producer.columns import Columns
from producer.spec import CampaignSpec
from worker.domain.phones import KOREA, PhoneError, fast_kr_mobile, normalise, region_of


@dataclass(frozen=True, slots=True)
class Reach:
    """Which numbers a campaign's providers can take."""

    domestic: bool = True
    international: bool = False


def reach_of(spec: CampaignSpec, settings: Settings) -> Reach:
    """What the pinned provider can reach, or for `auto` what any offered provider can."""
    if spec.provider in (None, providers.AUTO):
        entries = providers.offered(settings)
    else:
        entries = [providers.get(spec.provider)]
    can = [entry.capabilities for entry in entries]
    return Reach(any(c.domestic for c in can), any(c.international for c in can))


class NumberReader:
    """Reads each row's number; a clean Korean `010` number takes the fast path."""

    def __init__(self, spec: CampaignSpec, columns: Columns, reach: Reach) -> None:
        self._phone = columns.phone
        self._country = _country_index(spec, columns)
        self._region = region_of(spec.default_country)
        self._reach = reach
        self._fast = reach.domestic and self._region == KOREA and self._country is None

    @property
    def abroad(self) -> bool:
        """Numbers of other countries may be taken."""
        return self._reach.international

    def read(self, values: list[str]) -> str:
        """The row's number in stored form (`010…` or E.164); PhoneError says why not."""
        raw = values[self._phone]
        if self._fast and (fast := fast_kr_mobile(raw)) is not None:
            return fast
        region = self._region
        if self._country is not None and values[self._country].strip():
            region = region_of(values[self._country])
        return normalise(raw, self._reach.international, region, self._reach.domestic)


def _country_index(spec: CampaignSpec, columns: Columns) -> int | None:
    if spec.country_column is None:
        return None
    if spec.country_column not in columns.names:
        raise PhoneError(
            f"no column {spec.country_column!r} for countries in {list(columns.names)}"
        )
    return columns.names.index(spec.country_column)
