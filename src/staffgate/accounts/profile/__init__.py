"""Edit My Profile: contact details, password, questions, language and sessions."""
