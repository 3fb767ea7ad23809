from .tasks import consume
