"""geography package."""
