import certifi


def main() -> None:
    print(f"ledger trusts the certificates in {certifi.where()}")
