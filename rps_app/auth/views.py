"""Login, logout, own account, and the admin's user management pages."""
from flask import Blueprint

bp = Blueprint("auth", __name__)
