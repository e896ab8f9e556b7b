"""API PLEX Global Message (GMS v2): sends by POST, results by webhook only."""
