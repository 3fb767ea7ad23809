import psycopg2

print("app is up, psycopg2", psycopg2.__version__, "libpq", psycopg2.__libpq_version__)
