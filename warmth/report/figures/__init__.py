"""The study's figures 1-5 and the warmth/error trade-off frontier, one module each."""
