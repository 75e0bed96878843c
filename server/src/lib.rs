//! The HTTP edge of Cristallo-RS.
