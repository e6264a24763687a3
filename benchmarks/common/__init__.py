"""What the benchmark scripts share: the real datasets, the peers (SZ3, ZFP, SPERR,
Blosc through hdf5plugin), the quality measures and the report writers."""
