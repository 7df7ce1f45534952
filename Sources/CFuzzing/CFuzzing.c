// Header-only shim: see include/CFuzzing.h.
