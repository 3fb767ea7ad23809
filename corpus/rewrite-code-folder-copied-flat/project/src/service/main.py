"""The service runs from src/service, which the Dockerfile copies flat into the workdir; it imports its neighbour."""
import settings

print(settings.GREETING)
