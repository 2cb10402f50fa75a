SECRET_KEY = "fixture-only"
INSTALLED_APPS = ["django.contrib.contenttypes"]
WSGI_APPLICATION = "shop.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"}}
