"""The label schemas that ship with the studio, and the JSON Schema of every export record.

A package of its own so that importlib.resources finds these files in a wheel, an
editable install and a checkout alike.
"""
