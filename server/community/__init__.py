"""What every community feature shares: audience tokens, who may see what, raw SQL."""
