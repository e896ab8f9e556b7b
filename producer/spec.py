"""What a campaign is made of, validated before any recipient is read."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from config import providers
from config.settings import Settings
from producer.option_names import OPTIONS
from producer.times import korea_label
from worker.domain.advertising import AdError, AdParts, complete
from worker.domain.messages import MessageError, check_subject, euc_kr_length
from worker.domain.phones import region_of
from worker.domain.quiet_hours import in_quiet_hours

# The worker reserves only with this much to spare above a provider's minimum lead
# (worker/services/scheduling.py).
RESERVE_MARGIN = timedelta(seconds=30)

SENDER = re.compile(r"^\d{8,12}$")
AUTO = providers.AUTO


class CampaignSpec(BaseModel):
    """One template from one sender; recipients come separately."""

    name: str = Field(min_length=1, max_length=200)
    sender: str
    template: str = Field(min_length=1)
    message_type: Literal["SMS", "LMS", "MMS", "AUTO"] = "AUTO"
    content_type: Literal["COMM", "AD"] = "COMM"
    subject: str | None = None
    # A registry name (config/providers.py), or "auto": each batch through the first able,
    # healthy provider (BULKSMS_ROUTING__ORDER). None: "auto" when more than one provider is
    # configured, else the one that is.
    provider: str | None = None
    # When to send (aware). "wait": the campaign waits in the database until then;
    # "reserve": it is sent now with the provider's own send time (SENS reserveTime,
    # NHN requestDate).
    send_at: datetime | None = None
    schedule_mode: Literal["wait", "reserve"] = "wait"
    # No re-send is scheduled after this; default: settings.resend.default_deadline_hours.
    deadline: datetime | None = None
    # A second create with the same key returns the campaign the first one made.
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=100)
    # Numbers written without `+` are read in this region (ISO 3166, or a calling code);
    # a `country_column` cell, where given, overrides it for its row.
    default_country: str = "KR"
    country_column: str | None = None
    # MMS images (JPEG files), in the order they are shown; giving any makes the type MMS.
    images: list[Path] = []
    # An AD campaign whose recipients consented to night-time ads (21:00-08:00 Korea time).
    night_consent: bool = False
    # The campaign this one re-sends to part of (producer/resend.py).
    parent_id: int | None = None

    def columns(self) -> dict[str, object]:
        """The campaign row's fields for this spec (its provider must be chosen)."""
        skip = {"send_at", "schedule_mode", "deadline", "default_country", "country_column",
                "images"}  # fmt: skip
        fields = self.model_dump(exclude=skip)
        if self.send_at is not None:
            fields.update(scheduled_at=self.send_at, schedule_mode=self.schedule_mode)
        return {**fields, "deadline_at": self.deadline}

    def for_settings(self, settings: Settings) -> "CampaignSpec":
        """This spec with its provider chosen and offered (its keys set); ValueError if not."""
        offered = [entry.name for entry in providers.offered(settings)]
        if self.provider not in (None, AUTO, *offered):
            entry = providers.get(self.provider)
            prefix = f"BULKSMS_{entry.settings_field.upper()}__"
            raise ValueError(f"{entry.title} is not configured: set its {prefix}… keys")
        if not offered:
            raise ValueError("no provider is configured: set a provider's keys (README)")
        spec = self._as_ad(settings)
        if spec.provider is None:
            chosen = AUTO if len(offered) > 1 else offered[0]
            return spec.model_validate({**spec.model_dump(), "provider": chosen})
        if spec.provider == AUTO:
            _check_someone_can(spec, [providers.get(name) for name in offered])
        return spec

    def _as_ad(self, settings: Settings) -> "CampaignSpec":
        """An AD campaign's template as the law wants it (worker/domain/advertising.py): the
        sender's name and the opt-out line from settings added where missing, so their
        bytes count in the SMS/LMS choice; ValueError saying what is still missing. A
        reservation in the quiet hours needs night-time consent."""
        if self.content_type != "AD":
            return self
        ad = settings.ad
        try:
            parts = AdParts(ad.sender_name or None, ad.opt_out_number or None)
            template = complete(self.template, parts)
        except AdError as exc:
            raise ValueError(str(exc)) from None
        at = self.send_at if self.schedule_mode == "reserve" else None
        if at and not self.night_consent and in_quiet_hours(at, ad.quiet_start, ad.quiet_end):
            raise ValueError(
                f"--at {korea_label(at)} with --reserve falls in an advertisement's quiet hours "
                f"({ad.quiet_start:%H:%M}-{ad.quiet_end:%H:%M} Korea time): pick another "
                "time, or give --night-consent if the recipients agreed to night-time ads"
            )
        return self.model_copy(update={"template": template})

    @field_validator("default_country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        return region_of(value)

    @field_validator("sender")
    @classmethod
    def _sender_digits(cls, value: str) -> str:
        digits = value.replace("-", "").strip()
        if not SENDER.match(digits):
            # Every provider takes a pre-registered caller id, digits only (seed 003; NHN).
            raise ValueError(f"sender {value!r} must be 8 to 12 digits (a registered caller id)")
        return digits

    @field_validator("provider")
    @classmethod
    def _known_provider(cls, value: str | None) -> str | None:
        if value is not None and value != AUTO:
            try:
                providers.get(value)
            except providers.UnknownProvider as exc:
                raise ValueError(str(exc)) from None
        return value

    @model_validator(mode="after")
    def _encodable(self) -> "CampaignSpec":
        try:
            euc_kr_length(self.template)
            if self.subject:
                check_subject(self.subject)
        except MessageError as exc:
            raise ValueError(str(exc)) from None
        if self.subject and self.message_type == "SMS":
            raise ValueError("an SMS has no subject; use LMS, MMS or AUTO")
        return self

    @model_validator(mode="after")
    def _images_make_mms(self) -> "CampaignSpec":
        """Images go with an MMS: AUTO becomes MMS; an MMS without one is refused, as SENS
        would send it as an LMS (seed 003)."""
        if self.images and self.message_type in ("SMS", "LMS"):
            raise ValueError(f"an {self.message_type} carries no image; use MMS or AUTO")
        if self.message_type == "MMS" and not self.images:
            raise ValueError("an MMS needs an image: give --image PATH (a JPEG)")
        if self.images and self.message_type == "AUTO":
            self.message_type = "MMS"
        return self

    @model_validator(mode="after")
    def _schedule(self) -> "CampaignSpec":
        for name in ("send_at", "deadline"):
            moment = getattr(self, name)
            if moment is not None and moment.tzinfo is None:
                raise ValueError(f"{OPTIONS[name]} must carry a time zone")
        if self.schedule_mode == "reserve" and self.send_at is None:
            raise ValueError("--reserve needs a send time (--at)")
        if self.schedule_mode == "reserve" and self.send_at <= datetime.now(UTC):
            raise ValueError(f"--at {korea_label(self.send_at)} is in the past")
        if self.send_at and self.deadline and self.deadline <= self.send_at:
            raise ValueError("--deadline must come after --at")
        return self

    @model_validator(mode="after")
    def _provider_can(self) -> "CampaignSpec":
        if self.provider is None or self.provider == AUTO:
            return self  # checked against the configured providers (for_settings)
        entry = providers.get(self.provider)
        _check_abilities(self, entry)
        if self.schedule_mode == "reserve":
            _check_reservable(self.send_at, entry)
        return self


def _check_someone_can(spec: CampaignSpec, entries: list[providers.Provider]) -> None:
    """An auto campaign needs one configured provider able to carry it; else the first's
    reason."""
    errors = []
    for entry in entries:
        try:
            _check_abilities(spec, entry)
            if spec.schedule_mode == "reserve":
                _check_reservable(spec.send_at, entry)
            return
        except ValueError as exc:
            errors.append(exc)
    raise errors[0]


def _check_abilities(spec: CampaignSpec, entry: providers.Provider) -> None:
    can = entry.capabilities
    if spec.message_type == "MMS" and not can.mms:
        raise ValueError(f"{entry.title} cannot send MMS")
    if spec.content_type == "AD" and not can.ad:
        raise ValueError(f"{entry.title} has no advertising message type")
    for text in can.reserved_text:
        if text in spec.template:
            raise ValueError(
                f"the template holds {text!r}, which {entry.title} reads as its own markup"
            )


def _check_reservable(send_at: datetime | None, entry: providers.Provider) -> None:
    """A provider reservation needs a time at least its minimum lead (+ a margin) ahead."""
    can = entry.capabilities
    if not can.reservations:
        raise ValueError(f"{entry.title} takes no reservations: leave out --reserve")
    assert send_at is not None  # _schedule refuses a reservation without a time
    lead = send_at - datetime.now(UTC)
    if lead < can.reserve_min_lead + RESERVE_MARGIN:
        raise ValueError(
            f"--reserve: {entry.title} reserves at least "
            f"{can.reserve_min_lead.total_seconds() / 60:g} min ahead (with "
            f"{RESERVE_MARGIN.seconds} s to spare); --at {korea_label(send_at)} is "
            f"{lead.total_seconds() / 60:.1f} min away: leave out --reserve to wait in the "
            "database instead"
        )
    if can.reserve_max_ahead is not None and lead > can.reserve_max_ahead:
        raise ValueError(
            f"--reserve: {entry.title} reserves at most {can.reserve_max_ahead.days} days "
            f"ahead; --at {korea_label(send_at)} is {lead.days} days away: leave out --reserve"
        )
