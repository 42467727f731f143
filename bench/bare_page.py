"""The bare page of bench/load.py: one sidebar select slider of 301 options and 17 lines — what Streamlit itself costs a rerun.

The load benchmark copies this file into a temporary folder and serves it with the project's
.streamlit/config.toml, so the app's rerun time reads as a ratio to this page's.
"""

from __future__ import annotations

import streamlit as st

# As the floor: a slider in the sidebar and 17 lines of output (one per target). The slider
# is a select slider of the app's first lever's options, so both send the same widget message.
value = st.sidebar.select_slider("new coops", options=list(range(301)), value=85, key="bare_new_coops")
for target in range(1, 18):
    st.write(f"target {target}: {value + target}")
