"""The native solver library, imported: for a process that forks its solves (the app's
forkserver, ``optimizer.app.guard``) to import once rather than in each child (30 ms each).

The adapters import ``highspy`` inside their functions, so that a command that never solves
never loads it. Importing it starts no thread (a ``Highs()`` would), so forking after it is
safe.
"""

import highspy  # noqa: F401
