"""Compact containers the corpus steps keep their fingerprints in: growable numpy columns,
uint64 hash sets, key counters and disk-backed row stores (:mod:`.compact`)."""
