"""platform events in, neutral events out. Neutral replies out, platform calls made."""
