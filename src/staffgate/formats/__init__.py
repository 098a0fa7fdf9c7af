"""Date and time formats the portal uses instead of Django's, by language."""
