"""The lowest stage: how work runs, whatever it computes.

``deadline`` (one wall-clock budget shared by every stage of an answer), ``isolation``
(native solver work in a child process, so a crash ends the child only) and ``files``
(atomic writes). Imports nothing else from ``optimizer``.
"""
