"""NHN Cloud Notification SMS API v3.0."""
