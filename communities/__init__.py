"""communities package."""
