"""Commands added by later stages (caption, export, ask, doctor) register here."""
