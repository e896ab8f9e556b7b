"""NAVER Cloud SENS SMS API v2."""
