"""The common operational picture desk (in progress): tracks, TAK interop, the map.

So far: the Cursor-on-Target codec (XML and TAK protocol v1).
"""
