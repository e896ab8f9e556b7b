"""The command-line option behind each CampaignSpec field, so that errors name what to fix."""

from pydantic import ValidationError

OPTIONS = {
    "name": "--name",
    "sender": "--from",
    "template": "--template",
    "message_type": "--type",
    "content_type": "--ad",
    "subject": "--subject",
    "provider": "--provider",
    "send_at": "--at",
    "schedule_mode": "--reserve",
    "deadline": "--deadline",
    "idempotency_key": "--idempotency-key",
    "default_country": "--default-country",
    "country_column": "--country-column",
    "images": "--image",
    "night_consent": "--night-consent",
}


def option_errors(error: ValidationError) -> str:
    """A spec's validation errors in one line, each led by its option (`--from: …`), without
    pydantic's decoration."""
    return "; ".join(_one(e["loc"], e["msg"]) for e in error.errors()).replace("Value error, ", "")


def _one(loc: tuple[int | str, ...], message: str) -> str:
    if not loc:
        return message
    field = str(loc[0])
    where = OPTIONS.get(field, field) + "".join(f"[{part}]" for part in loc[1:])
    return f"{where}: {message}"
