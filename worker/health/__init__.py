"""Each provider's health breaker, shared by every worker process through Redis."""
