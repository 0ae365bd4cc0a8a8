"""Chat handlers: the glossary."""
