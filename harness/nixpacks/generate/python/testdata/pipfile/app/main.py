import httpx

print(httpx.__version__)
