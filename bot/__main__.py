"""``python -m bot`` does what ``cosbot`` does."""

from __future__ import annotations

import sys

from bot.cli.commands import main

sys.exit(main())
