"""Subject access: everything held about a member of staff, and who read or changed a request."""
