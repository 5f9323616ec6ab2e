"""Every Flask extension object, created once here so that nothing imports in circles."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from planner.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
# Storage from RATELIMIT_STORAGE_URI: memory by default, Redis when configured.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
