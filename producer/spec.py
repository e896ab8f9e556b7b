"""What a campaign is made of, validated before any recipient is read."""

import re
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from config.names import PROVIDER_SENS
from worker.domain.messages import MessageError, check_subject, euc_kr_length

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
