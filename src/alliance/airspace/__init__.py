"""Airspace: coordination measures, 4D deconfliction across nations, conformance.

The engine (:mod:`.volume`, :mod:`.deconflict`) is pure and usable without a
node; the desk built on it keeps each nation's measures as its own objects.
"""
