"""The executor: makes a machine match dht.lock. Never imports the compiler."""
