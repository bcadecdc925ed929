"""Training and evaluation tools for the emotion CNN (FER-2013)."""
