exec python -m web
