"""Provider simulators: a local NAVER Cloud SENS SMS API v2 for tests, load runs and demos."""
