"""Everything the 督导 pages say."""
