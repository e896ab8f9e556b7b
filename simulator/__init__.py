"""Provider simulators for tests, load runs and demos: NAVER Cloud SENS SMS API v2 (sens/)
and NHN Cloud Notification SMS API v3.0 (nhn/), on a shared core (core/)."""
