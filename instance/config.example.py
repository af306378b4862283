# Copy to instance/config.py (or let `rps init` write it) and adjust.
# Environment variables of the same name override what is set here.

# A long random value; `rps init` writes one when there is none.
# SECRET_KEY = "change-me"

# SQLite in the instance folder is the default. For PostgreSQL (pip install '.[postgres]'):
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://rps:password@127.0.0.1:5432/rps"

# RPS_TIMEZONE = "Asia/Jakarta"
# RPS_MAX_STAY_DAYS = 7
# RPS_REPORTS_DIR = "/var/lib/rps/reports"
