"""NAVER Cloud API Gateway request signature, version 2."""

import base64
import hashlib
import hmac

# Seed README / PROVIDERS.md: base64(HMAC-SHA256(secret, METHOD + " " + URI-with-query
# + "\n" + timestamp-ms + "\n" + access-key)). Path only, no host; the body is not signed.


def signature_v2(method: str, uri: str, timestamp_ms: str, access_key: str, secret: str) -> str:
    """The `x-ncp-apigw-signature-v2` header value for one request."""
    message = f"{method.upper()} {uri}\n{timestamp_ms}\n{access_key}"
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()
