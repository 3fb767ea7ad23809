from autoslug import AutoSlugField
from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=100)
    slug = AutoSlugField(populate_from="name")
