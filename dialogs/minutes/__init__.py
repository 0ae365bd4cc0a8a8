"""The chair's minutes in the personal chat."""
