"""The order's procedure, one module per job: allocate, dispatch, notify, compensate."""
