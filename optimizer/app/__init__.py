"""What the Streamlit page (``app.py``) shows, computed without Streamlit.

Each module turns the core's results into the tables, figures and files one section of
the page needs: ``scenario_files`` (open, upload, save), ``editing`` (the input forms),
``analysis`` (plan, comparison, diagnosis), ``headline`` (metrics and department
tables), ``flows`` (the chain from ad spend to money), ``funnel`` (each sales team's
stages a month and a rep), ``limits`` (binding limits and what one natural step of each is
worth), ``moves`` and ``sensitivity`` (re-solves with one input moved), ``charts`` (plotly
figures), ``downloads`` and ``workbook`` (the files).
"""
