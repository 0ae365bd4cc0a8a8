"""The minutes of a meeting: drafted from its record, edited and approved by the chair, sent to members."""
