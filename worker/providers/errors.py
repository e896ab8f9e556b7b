"""Provider errors, grouped by what the caller should do: retry later, slow down, or give up."""


class ProviderError(Exception):
    """A provider call that did not succeed."""

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = None,
        code: str | None = None,
        family: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.status = status
        self.code = code
        # The catalogue family of `code` when it is a provider result code (NHN API codes).
        self.family = family

    def __str__(self) -> str:
        parts = [self.provider]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.code:
            parts.append(f"code {self.code}")
        return f"{' '.join(parts)}: {self.message}"


class RetryLater(ProviderError):
    """A temporary failure (5xx, timeout, network): the same request may succeed later."""


class TransportError(RetryLater):
    """The provider could not be reached or did not answer in time."""

    def __init__(self, message: str, *, provider: str, maybe_sent: bool) -> None:
        super().__init__(message, provider=provider)
        # A read timeout after the body went out may still have been accepted:
        # re-sending then risks a duplicate message, so callers can tell the two apart.
        self.maybe_sent = maybe_sent


class SlowDown(RetryLater):
    """The provider refused for rate or quota (HTTP 429): retry later, and more slowly."""


class GiveUp(ProviderError):
    """The provider refused the request itself: sending it again cannot succeed."""


class Rejected(GiveUp):
    """The request's content was refused (HTTP 400, 404, 413)."""


class FileGone(Rejected):
    """A request named an attached file the provider no longer holds (expired, or never
    known): upload it again, then send; the request itself was refused, nothing went out."""

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = None,
        code: str | None = None,
        file_ids: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, provider=provider, status=status, code=code)
        self.file_ids = file_ids


class AuthFailed(GiveUp):
    """Credentials or permissions are wrong (HTTP 401, 403): an operator must fix settings."""
