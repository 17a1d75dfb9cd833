"""A codebook that changes while a study runs: what a new schema version changes (diff), how old
labels map onto it (plan), and carrying them over (migration). Sits above labelschema."""
