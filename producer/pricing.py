"""What messages cost in KRW: settings.prices per provider and type (BULKSMS_PRICES__…)."""

from config.settings import Settings

# Providers whose INTL price is per SMS part, not per message (config/settings.py PriceSettings).
PRICED_BY_PART = frozenset({"apiplex"})


def price_of(settings: Settings, provider: str, kind: str) -> float | None:
    """KRW for one message (or one part, where priced so); None when no price is set."""
    prices: dict[str, float] = getattr(settings.prices, provider, None) or {}
    return prices.get(kind)


def cost_of(
    settings: Settings, provider: str | None, kind: str, recipients: int, parts: float
) -> float | None:
    """KRW for `recipients` messages of `kind` through `provider`, taking `parts` SMS parts
    in all (abroad); None when no provider can carry them or no price is set."""
    price = None if provider is None else price_of(settings, provider, kind)
    if price is None:
        return None
    if kind == "INTL" and provider in PRICED_BY_PART:
        return price * parts
    return price * recipients


def won(amount: float | None) -> str:
    """`₩123,456`, or `—` for a cost that cannot be estimated."""
    return "—" if amount is None else f"₩{amount:,.0f}"
