//! Demo and benchmark catalogs: the shared real catalog import and a synthetic generator.
