from dht.cli import main

main()
