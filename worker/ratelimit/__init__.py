"""The provider rate limit shared by every worker process through Redis."""
