"""Reaching people in Teams: who the bot can start a 1:1 chat with, and why not the others."""
