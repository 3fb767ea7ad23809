from decouple import config

# the deployment gives it (docker run -e, compose's env_file); the image rightly does not hold it
SECRET_KEY = config("SECRET_KEY", cast=str)
DEBUG = config("DEBUG", default=False, cast=bool)
