"""The NAVER Cloud SENS SMS API v2 simulator: store, validation, window rules, reservations, clock.

Control endpoints (unsigned): GET /_sim/health, GET /_sim/stats, POST /_sim/reset,
GET|POST /_sim/faults, and GET /_sim/clock → {"offset_seconds": x} with
POST /_sim/clock {"advance_seconds": N}, which moves the simulator's "now" N seconds
forward for message lifecycles, reservations, list window rules and uploaded files' 6-day
expiry (the signature's 5-minute skew check stays on the wall clock); POST /_sim/reset sets
the offset back to 0.
"""
