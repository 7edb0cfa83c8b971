"""Stage 5, reports: the answer for people and for programs.

``sentences`` (each limit in plain words, with what one natural step is worth),
``payload`` (the JSON shapes), ``tables`` (the command line's rich tables),
``explanation`` (what moves the plan, as tables and words), ``diagnosis`` (the
conflicting limits of an impossible scenario and its repairs, in words) and ``crosscheck``
(a second solver's findings, in words). Reads results; never solves.
"""
