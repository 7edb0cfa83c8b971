"""Stage 5, reports: the answer for people and for programs.

``sentences`` (each limit in plain words, with what one natural step is worth),
``payload`` (the JSON shapes), ``tables`` (the command line's rich tables) and
``explanation`` (what moves the plan, as tables and words). Reads results; never solves.
"""
