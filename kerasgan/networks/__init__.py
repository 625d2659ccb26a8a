"""Network builders, one module per architecture."""
