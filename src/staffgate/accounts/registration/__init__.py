"""First visit: the PIN, then the Terms, contact details, questions and a password."""
