"""Stage 5, reports: the answer for people and for programs.

``sentences`` (each limit in plain words, with what one natural step is worth),
``payload`` (the JSON shapes), ``tables`` (the command line's rich tables),
``explanation`` (what moves the plan, as tables and words) and ``diagnosis`` (the
conflicting limits of an impossible scenario, in words). Reads results; never solves.
"""
