"""A baseline model trained on a project's gold: which sentences carry a statement of which actor,
its stance, target, preconditions and source outlet. Needs the optional extra `model`
(scikit-learn, skops); the rest of the studio never imports it."""
