from dht.fast import main

main()
