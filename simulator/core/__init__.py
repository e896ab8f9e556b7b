"""What every provider simulator shares: clock, counters, faults, throttle, HTTP layer, control."""
