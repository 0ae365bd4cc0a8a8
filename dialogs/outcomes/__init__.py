"""Recording a meeting's outcomes in the chair's personal chat, and confirming them."""
