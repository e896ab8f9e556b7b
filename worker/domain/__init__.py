"""Pure code: statuses, phone numbers, message encoding, templates and result codes."""
