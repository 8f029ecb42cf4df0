"""The client side of the simulation: PowerAuth protocol primitives, the virtual device, the
synthetic identity world, the scripted journey, the stack runner and the ``rsim`` command line."""
