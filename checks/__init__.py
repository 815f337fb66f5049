"""Fact-check workbench library: article → claims → candidates → verdicts → export.

Everything here is plain Python (no Streamlit) so the app, the CLI and the tests share it.
"""

__version__ = "0.1.0"
