"""A row's message type: its template rendered from the row's columns and sized in EUC-KR."""

from collections.abc import Callable

from producer.spec import CampaignSpec
from worker.domain import template as templates
from worker.domain.messages import CONTENT_LIMITS, MessageError, check_parts, euc_kr_length

# Plain strings: enum member access costs more than the rest of a row's checks.
LIMITS = {kind.value: limit for kind, limit in CONTENT_LIMITS.items()}
SMS_LIMIT = LIMITS["SMS"]


class Composer:
    """The message type of each row, or MessageError/TemplateError saying why it cannot go.

    The template is compiled once into a `str.format` string over column positions, so a
    row renders in C; a template without placeholders is sized once for every row.
    """

    def __init__(self, spec: CampaignSpec, columns: dict[str, int]) -> None:
        self._declared = _declared(spec)
        self._needed = {name: columns[name] for name in sorted(templates.variables(spec.template))}
        self._render: Callable[..., str] = _compiled(spec.template, self._needed).format
        self._fixed = None if self._needed else self._type_of(spec.template)

    def kind(self, values: list[str]) -> str:
        """The message type for a row's values (SMS, LMS or MMS)."""
        if self._fixed is not None:
            return self._fixed
        if "" in values:
            self._check_filled(values)
        return self._type_of(self._render(*values))

    def kind_abroad(self, values: list[str]) -> str:
        """INTL for a row to another country's number: an SMS sized in GSM-7 / UCS-2 parts;
        MessageError when the campaign declared LMS or MMS (Korean message types)."""
        if self._declared in ("LMS", "MMS"):
            raise MessageError(
                f"{self._declared} goes to Korean numbers only; abroad an SMS is sent"
            )
        if self._needed and "" in values:
            self._check_filled(values)
        check_parts(self._render(*values))
        return "INTL"

    def _check_filled(self, values: list[str]) -> None:
        for name, index in self._needed.items():
            if not values[index]:
                raise templates.TemplateError(f"no value for template variable {name!r}")

    def _type_of(self, content: str) -> str:
        size = euc_kr_length(content)
        kind = self._declared or ("SMS" if size <= SMS_LIMIT else "LMS")
        if size > LIMITS[kind]:
            raise MessageError(f"content is {size} bytes in EUC-KR; {kind} allows {LIMITS[kind]}")
        return kind


def _declared(spec: CampaignSpec) -> str | None:
    """The type every row gets, or None when AUTO picks SMS or LMS by length."""
    if spec.message_type != "AUTO":
        return spec.message_type
    return "LMS" if spec.subject else None


def _compiled(template: str, positions: dict[str, int]) -> str:
    """`template` as a `str.format` string whose fields are column positions."""
    parts = templates.PLACEHOLDER.split(template)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(f"{{{positions[part]}}}")
        else:
            out.append(part.replace("{", "{{").replace("}", "}}"))
    return "".join(out)
