"""The API PLEX Global Message (GMS v2) simulator: POST /{gms-kg|gms-gk}/v2/send, webhooks.

The wire contract (auth header, body, answers, webhook records) is in wire.py, with what the
public docs leave unconfirmed. Control endpoints as the other simulators' (/_sim/health,
stats, reset, faults, clock), plus GET|POST /_sim/webhook {"url"} for the result records.
"""
