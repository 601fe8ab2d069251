# -*- coding: latin-1 -*-
"""A script in latin-1: café."""

print("café")
