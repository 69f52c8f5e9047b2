"""Files written into a `dht test` sandbox and run there, with the project's interpreter.

They use the standard library only: the project's environment may hold anything.
"""
