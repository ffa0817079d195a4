"""Everything the console home page says."""
