"""mcc and mnc of a destination: the network a simulated message reached, per (seed, number)."""

from simulator.outcomes import telco_for, unit

KOREA = "82"
# SKT 450-05, KT 450-08, LG U+ 450-06 (the operator the SENS simulator draws for the number).
KOREAN_MNC = {"SKT": "05", "KT": "08", "LGU": "06"}
# E.164 country code → (MCC, MNCs to draw from): a few common destinations of Korean senders.
NETWORKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "1": ("310", ("260", "410", "120")),  # United States
    "7": ("250", ("01", "02", "99")),  # Russia
    "33": ("208", ("01", "10", "20")),  # France
    "44": ("234", ("10", "15", "20", "30")),  # United Kingdom
    "49": ("262", ("01", "02", "03")),  # Germany
    "60": ("502", ("12", "13", "16")),  # Malaysia
    "61": ("505", ("01", "02", "03")),  # Australia
    "62": ("510", ("01", "10", "11")),  # Indonesia
    "63": ("515", ("02", "03")),  # Philippines
    "65": ("525", ("01", "03", "05")),  # Singapore
    "66": ("520", ("01", "03", "04")),  # Thailand
    "81": ("440", ("10", "20", "50")),  # Japan
    "84": ("452", ("01", "02", "04")),  # Vietnam
    "86": ("460", ("00", "01", "11")),  # China
    "91": ("404", ("10", "20", "45")),  # India
    "852": ("454", ("00", "03", "06")),  # Hong Kong
    "886": ("466", ("01", "92", "97")),  # Taiwan
}


def country_code(number: str) -> str | None:
    """The E.164 country code of `number` ("+447..." → "44") among NETWORKS and Korea."""
    digits = number.lstrip("+")
    for size in (3, 2, 1):
        if digits[:size] in NETWORKS or digits[:size] == KOREA:
            return digits[:size]
    return None


def network_for(seed: int, number: str) -> tuple[str | None, str | None]:
    """(mcc, mnc) reported for `number`; (None, None) for a country the simulator doesn't map."""
    code = country_code(number)
    if code == KOREA:
        return "450", KOREAN_MNC[telco_for(seed, number)]
    if code is None:
        return None, None
    mcc, mncs = NETWORKS[code]
    return mcc, mncs[int(unit(seed, number, "mnc") * len(mncs))]
