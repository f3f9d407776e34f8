"""Writes of the associations app, one module per concept. Each function is keyword-only,
runs in a transaction and raises the app's own errors; views, admin, imports and other apps
call these and nothing else to change state."""
