"""OMS domain package: the rules every function shares."""
