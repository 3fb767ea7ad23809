import os

import psycopg2


def migrate():
    # no PGHOST: libpq goes to the local socket, where compose's db service is in deployment
    connection = psycopg2.connect(dbname=os.environ.get("PGDATABASE", "shop"))
    connection.cursor().execute("CREATE TABLE IF NOT EXISTS orders (id serial PRIMARY KEY)")
    connection.commit()
    print("migrated")


if __name__ == "__main__":
    migrate()
