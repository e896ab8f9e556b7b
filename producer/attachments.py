"""A campaign's MMS images, read and checked against every provider that may send them,
before anything is stored."""

from config import providers
from config.settings import Settings
from producer.spec import CampaignSpec
from worker.domain.images import Image, ImageError, check, read


def campaign_images(spec: CampaignSpec, settings: Settings) -> list[Image]:
    """The spec's images, each fitting every provider the campaign may go through (pinned:
    its own; auto: every offered one that sends MMS, as failover may move a batch there);
    ImageError names the file, the provider and the limit."""
    if not spec.images:
        return []
    found = [read(path) for path in spec.images]
    for entry in _senders(spec, settings):
        _fits(found, entry)
    return found


def _senders(spec: CampaignSpec, settings: Settings) -> list[providers.Provider]:
    if spec.provider not in (None, providers.AUTO):
        return [providers.get(spec.provider)]
    return [entry for entry in providers.offered(settings) if entry.capabilities.mms]


def _fits(found: list[Image], entry: providers.Provider) -> None:
    can = entry.capabilities
    if can.images is None:
        raise ImageError(f"{entry.title} sends no images")
    if len(found) > can.max_images:
        raise ImageError(
            f"{len(found)} images; {entry.title} takes at most {can.max_images} per message"
        )
    for image in found:
        check(image, can.images, entry.title)
