"""Command-line front door of the legal-aid planning toolkit (``legalaid``)."""
