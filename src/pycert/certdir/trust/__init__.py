"""Trust stores: a CA put into the system, NSS (Chromium, Firefox) and Java stores, and out."""
