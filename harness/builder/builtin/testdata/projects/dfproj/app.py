def app(e, s):
    return []
