"""Market and mechanism simulators with their metrics (auctions, bidding)."""
