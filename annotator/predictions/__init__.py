"""Models in the loop: predictions scored against gold, stored, and offered as suggestions."""
