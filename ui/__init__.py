"""Shared pieces of the Streamlit app: state, words, tables and charts."""
