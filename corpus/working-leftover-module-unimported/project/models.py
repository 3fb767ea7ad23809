from flask_sqlalchemy import SQLAlchemy

from app import db


class Dessert(db.Model):
    pass
