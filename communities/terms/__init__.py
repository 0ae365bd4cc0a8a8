"""Term dates and INSET days per academic year: what makes a weekday a school day."""
