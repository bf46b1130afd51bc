"""Store maintenance: doctor (issue 7)."""
