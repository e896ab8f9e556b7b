"""The import's row loop measured for a preview: each good row's line and size, sent to a
scratch table with its number instead of into a campaign."""

from collections import deque
from collections.abc import Sequence

from producer.composer import SMS_LIMIT, Composer
from producer.sources import Table
from producer.spec import CampaignSpec
from worker.db.bulk import Row
from worker.db.previews import Scratch
from worker.domain import template as templates
from worker.domain.messages import euc_kr_length
from worker.domain.segments import segments

# A good row's line, EUC-KR bytes (None abroad), SMS parts (None at home), 1 when it became an
# LMS only once filled in.
Note = tuple[int, int | None, int | None, int]


class MeasuringComposer(Composer):
    """The import's composer, which also notes each good row's line and message size.

    The type is a row's last check in load_rows: a row is handed to the loader exactly when
    its type was found, so the notes line up, in order, with the rows of each chunk.
    """

    def __init__(self, spec: CampaignSpec, table: Table) -> None:
        super().__init__(spec, table.columns.variables)
        self.notes: deque[Note] = deque()
        self._table = table
        self._template = spec.template
        self._fields = {
            name: table.columns.variables[name] for name in templates.variables(spec.template)
        }
        self._may_grow = _may_grow(spec)

    def kind(self, values: list[str]) -> str:
        """The row's type (SMS, LMS or MMS), noting its line and EUC-KR size."""
        kind = super().kind(values)
        size = euc_kr_length(self._content(values))
        grew = int(self._may_grow and kind == "LMS")
        self.notes.append((self._table.line, size, None, grew))
        return kind

    def kind_abroad(self, values: list[str]) -> str:
        """INTL for a number abroad, noting its line and the SMS parts it takes."""
        kind = super().kind_abroad(values)
        self.notes.append((self._table.line, None, segments(self._content(values)).parts, 0))
        return kind

    def _content(self, values: list[str]) -> str:
        return templates.render(self._template, {n: values[i] for n, i in self._fields.items()})


def _may_grow(spec: CampaignSpec) -> bool:
    """True when AUTO picks SMS or LMS by length and the template with its variables empty
    fits an SMS: then an LMS row became one only by what was filled in."""
    if spec.message_type != "AUTO" or spec.subject:
        return False
    return euc_kr_length(templates.PLACEHOLDER.sub("", spec.template)) <= SMS_LIMIT


class PreviewLoader:
    """The import's loader for a preview: each chunk goes to the scratch table, with the
    composer's notes; nothing reaches a campaign."""

    def __init__(self, scratch: Scratch, phone: int, notes: deque[Note]) -> None:
        self.rows = 0
        self._scratch = scratch
        self._phone = phone
        self._notes = notes

    def write(self, rows: Sequence[Row]) -> None:
        """Rows end with their type and position (load_rows); the notes give the rest."""
        notes = self._notes
        self._scratch.add([(row[self._phone], row[-2], row[-1], *notes.popleft()) for row in rows])
        self.rows += len(rows)

    def finish(self) -> None:
        """Nothing is buffered."""

    def abort(self) -> None:
        """Nothing to undo: the scratch table goes with its transaction."""
