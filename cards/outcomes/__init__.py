"""The chair's cards for recording a meeting's outcomes, and what the school and the channel are told."""
