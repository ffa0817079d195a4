"""The web console: results, ledgers and downloads for secretaries and admins."""
