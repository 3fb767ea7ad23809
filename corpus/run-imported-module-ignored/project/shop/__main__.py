from shop.local_settings import CURRENCY

print("prices in", CURRENCY)
