"""Usage: cli [--name=<name>]"""
