"""Calendar backends: implementations of :class:`communities.calendar.Calendar`."""
