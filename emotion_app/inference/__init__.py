"""Classifying face crops: the classifier, its runners and the reuse of recent predictions."""
