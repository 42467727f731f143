"""The bare page of bench/load.py: one select slider of 301 options and its value — what Streamlit itself costs a rerun.

The load benchmark copies this file into a temporary folder and serves it with the project's
.streamlit/config.toml, so the app's rerun time reads as a ratio to this page's.
"""

from __future__ import annotations

import streamlit as st

value = st.select_slider("new coops", options=list(range(301)), value=85, key="bare_new_coops")
st.markdown(f"value {value}")
