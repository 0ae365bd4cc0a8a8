"""Request cards: the Request Form, a request in detail, and lists of requests."""
