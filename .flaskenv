# Lets `flask …` find the app when run from this folder (Flask reads it with python-dotenv).
FLASK_APP=course
