"""Embedding Lab's engine: everything the app computes, with no user interface.

Nothing in this package imports streamlit; pages call into it, tests call into it directly.
"""
