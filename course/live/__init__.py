"""The live session: the Socket.IO bridge, the projector, the console and the phones' home."""

from flask import Blueprint

bp = Blueprint("live", __name__)
