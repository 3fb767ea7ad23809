"""Seeds the database with test people; run inside the backend container (seed S002-3)."""

from people import PEOPLE

for person in PEOPLE:
    print("seeding", person)
