"""What an advertising template holds of what the law asks of it: `(광고)` first, and a free
080 opt-out line (worker/domain/advertising.py, whose rules the spec enforces)."""

from dataclasses import dataclass

from producer.spec import CampaignSpec
from worker.domain.advertising import OPT_OUT, PREFIX


@dataclass(frozen=True, slots=True)
class AdChecks:
    """Whether the template starts with the mark, and whether it names a free opt-out."""

    marked: bool
    opt_out: bool


def ad_checks(spec: CampaignSpec) -> AdChecks | None:
    """The checks of an AD campaign's template (무료수신거부 080… or 무료거부 080…); None for a
    campaign that is no ad."""
    if spec.content_type != "AD":
        return None
    text = spec.template.strip()
    return AdChecks(text.startswith(PREFIX), OPT_OUT.search(text) is not None)
