"""Dashboard, metrics and reports."""
