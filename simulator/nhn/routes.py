"""NHN API paths: /sms/{version}/appKeys/{appKey}/{resource...}?{query}."""

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

# The guide documents v3.0 and shows v2.4 in examples (and for some reservation paths).
VERSIONS = ("v3.0", "v2.4")


@dataclass(frozen=True, slots=True)
class Route:
    """An API path split into version, (decoded) app key, resource segments and query."""

    version: str
    app_key: str
    resource: tuple[str, ...]
    params: dict[str, str]


def parse_route(raw_uri: str) -> Route | None:
    """The route of a raw request URI; None when it is not /sms/{version}/appKeys/{appKey}/…."""
    parts = urlsplit(raw_uri)
    segments = parts.path.split("/")
    if len(segments) < 5 or segments[:2] != ["", "sms"] or segments[3] != "appKeys":
        return None
    params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    resource = tuple(unquote(s) for s in segments[5:] if s)
    return Route(segments[2], unquote(segments[4]), resource, params)
