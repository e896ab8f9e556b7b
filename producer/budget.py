"""A campaign refused before anything is stored when its preview costs more than allowed."""

from config.settings import Settings
from producer.campaigns import Source, SpecError
from producer.preview import preview_campaign
from producer.pricing import won
from producer.spec import CampaignSpec


def check_budget(spec: CampaignSpec, source: Source, settings: Settings, max_cost: float) -> None:
    """SpecError when the campaign's estimated cost is above `max_cost` KRW."""
    estimated = preview_campaign(spec, source, settings).cost
    if estimated > max_cost:
        raise SpecError(
            f"estimated cost {won(estimated)} is above --max-cost {won(max_cost)}; "
            "nothing was stored"
        )
