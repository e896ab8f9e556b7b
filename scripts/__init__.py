"""Developer scripts: the local stack, the demo."""
