"""Adjudicate: annotators' labels side by side, settled by a lead into revisioned gold."""
