"""After the meeting: outcomes, actions, attendance and reviews (domain.md §3.5, §4.1)."""
