"""The ceiling of the stack: a bare Flask app returning a fixed short page under the same gunicorn settings."""
from flask import Flask

app = Flask(__name__)
PAGE = "<!doctype html><title>bare</title><p>你好</p>"


@app.route("/")
def index():
    return PAGE
