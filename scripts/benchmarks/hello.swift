// FLOOR for scripts/bench: the cheapest process this toolchain can start (built -static-stdlib).
print("hello")
