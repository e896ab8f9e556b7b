"""What a campaign is made of, validated before any recipient is read."""

import re
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from config.names import PROVIDER_SENS
from worker.domain.messages import MessageError, check_subject, euc_kr_length
from worker.domain.reservations import MIN_LEAD

# The worker reserves only with this much to spare above MIN_LEAD (worker/services/scheduling).
RESERVE_MARGIN = timedelta(seconds=30)

SENDER = re.compile(r"^\d{8,12}$")


class CampaignSpec(BaseModel):
    """One template from one sender; recipients come separately."""

    name: str = Field(min_length=1, max_length=200)
    sender: str
    template: str = Field(min_length=1)
    message_type: Literal["SMS", "LMS", "MMS", "AUTO"] = "AUTO"
    content_type: Literal["COMM", "AD"] = "COMM"
    subject: str | None = None
    provider: Literal["sens"] = PROVIDER_SENS
    # When to send (aware). "wait": the campaign waits in the database until then;
    # "reserve": it is sent now with the provider's reserveTime (≥ 10 minutes ahead).
    send_at: datetime | None = None
    schedule_mode: Literal["wait", "reserve"] = "wait"
    # No re-send is scheduled after this; default: settings.resend.default_deadline_hours.
    deadline: datetime | None = None

    def columns(self) -> dict[str, object]:
        """The campaign row's fields for this spec."""
        fields = self.model_dump(exclude={"send_at", "schedule_mode", "deadline"})
        if self.send_at is not None:
            fields.update(scheduled_at=self.send_at, schedule_mode=self.schedule_mode)
        return {**fields, "deadline_at": self.deadline}

    @field_validator("sender")
    @classmethod
    def _sender_digits(cls, value: str) -> str:
        digits = value.replace("-", "").strip()
        if not SENDER.match(digits):
            # SENS `from` takes a pre-registered caller id, digits only (seed 003).
            raise ValueError(f"sender {value!r} must be 8 to 12 digits (a registered caller id)")
        return digits

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
    def _schedule(self) -> "CampaignSpec":
        for name in ("send_at", "deadline"):
            moment = getattr(self, name)
            if moment is not None and moment.tzinfo is None:
                raise ValueError(f"{name} must carry a time zone")
        if self.schedule_mode == "reserve":
            _check_reservable(self.send_at)
        if self.send_at and self.deadline and self.deadline <= self.send_at:
            raise ValueError("the deadline must come after the send time")
        return self


def _check_reservable(send_at: datetime | None) -> None:
    """A provider reservation needs a time at least MIN_LEAD (+ a margin) ahead."""
    if send_at is None:
        raise ValueError("schedule_mode 'reserve' needs send_at")
    lead = send_at - datetime.now(UTC)
    if lead <= timedelta(0):
        raise ValueError(f"send_at {send_at.isoformat()} is in the past")
    if lead < MIN_LEAD + RESERVE_MARGIN:
        raise ValueError(
            f"a SENS reservation must be at least {MIN_LEAD} ahead (with "
            f"{RESERVE_MARGIN.seconds} s to spare); {send_at.isoformat()} is "
            f"{lead.total_seconds() / 60:.1f} min away: use schedule mode 'wait'"
        )
