"""The HTTP service (`bulksms serve`): provider webhooks into the inbox."""
