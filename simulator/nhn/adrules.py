"""The ad endpoints' required wording (api-guide "Advertising message"; ko: "광고 문자")."""

import re

from simulator.nhn.results import PARAMETER, NhnError

# ko-api-guide: the body starts with "(광고)" (the English guide's "(Ads)" translates it).
PREFIX = "(광고)"
# ...and its last line carries "무료수신거부 {080 number}" or "무료거부 {080 number}": spaces
# allowed inside the phrase ("무료 수신 거부"), brackets around it ("[무료 수신거부]080XXXXXXX"),
# hyphens inside the number ("무료거부 080-XXX-XXXX").
_OPT_OUT = re.compile(
    r"[\[(]?\s*무\s*료\s*(?:수\s*신\s*)?거\s*부\s*[\])]?\s*:?\s*080-?\d{3,4}-?\d{4}\s*$"
)


def check_ad_body(body: str) -> None:
    """Raise NhnError unless `body` has the ad prefix and the free opt-out last line.

    A missing prefix has no code of its own in seed 002: the simulator answers resultCode 4
    (parameter validation failed) naming the rule; a missing opt-out line is -6003.
    """
    if not body.startswith(PREFIX):
        raise NhnError(PARAMETER, f"an ad body must start with {PREFIX}")
    lines = body.rstrip().splitlines()
    if len(lines) < 1 or not _OPT_OUT.search(lines[-1]):
        raise NhnError(-6003, "the last line must carry 무료수신거부 or 무료거부 and an 080 number")
