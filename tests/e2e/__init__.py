"""End-to-end tests: the bot in the Microsoft 365 Agents Playground, driven in headless Chromium."""
