"""Streamlit pages of the workbench; they render and call :mod:`checks`, nothing more."""
