"""The community budget: a ledger per community and financial year (April to March)."""
