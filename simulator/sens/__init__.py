"""The NAVER Cloud SENS SMS API v2 simulator: store, validation, window rules, HTTP handler."""
