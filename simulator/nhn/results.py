"""NHN API result codes and their API response messages (seed 002, "API Result Code")."""

# Seed 002: the header's resultCode and the "API response message" it comes with.
MESSAGES: dict[int, str] = {
    0: "SUCCESS",
    4: "Parameter validation failed",  # seed 002 gives no API message; its result code message
    -1000: "Invalid appKey.",
    -1005: "Service parameter is invalid.",
    -1006: "MessageType is invalid.",
    -2000: "Date format error.",
    -2001: "RecipientList can not be null.",
    -2002: "Invalid attach file name.",
    -2003: "Attach file required jpg or jpeg.",
    -2004: "File is expired or does not exist.",
    -2005: "The file size must be greater than 0 and less than 300KB.",
    -2008: "Invalid requestId.",
    -2011: "RequestId or start/endRequestDate or start/endCreateDate is required.",
    -2012: "Search parameter is invalid.(requestId and mtPr).",
    -2014: "The recipient can not be empty.",  # sic: seed 002's message for "title or body missing"
    -2015: "Title or Body exceed maximum byte.",
    -2016: "The max recipient size is 1000.",
    -2018: "RecipientNo can not be empty.",
    -2019: "RecipientNo is invalid.",
    -2022: "RequestDate is not before currentDate.",
    -2023: "Unacceptable characters in title and body.",
    -2024: "LMS/MMS Type is not sent to outside of Korea.",
    -2312: "Not regist sendno.",
    -4000: "Search is possible within one month.",
    -6001: "Recipient Number is refused.",
    -6003: "The body must contain block guide ment.",
    -6004: "This is not a joined unsubscribeNo.",
    -9995: "Invalid api version.",
    -9996: "Only application/json Content-type is supported.",
    -9997: "Invalid API parameters.",
    -9998: "Not exist API.",
    -9999: "System error. Please inquire at support@toast.com.",
}

SUCCESS = 0
PARAMETER = 4
INVALID_APP_KEY = -1000
SYSTEM_ERROR = -9999


class NhnError(Exception):
    """A request NHN refuses: its API result code, with what exactly is wrong."""

    def __init__(self, code: int, detail: str = "") -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail

    @property
    def message(self) -> str:
        """The resultMessage: seed 002's API message, then the detail in parentheses."""
        base = MESSAGES.get(self.code, MESSAGES[PARAMETER])
        return f"{base} ({self.detail})" if self.detail else base


def message_of(code: int) -> str:
    """The API response message of `code` (per-recipient resultMessage)."""
    return MESSAGES.get(code, MESSAGES[PARAMETER])
