"""Small host networks that mechanisms plug into."""
