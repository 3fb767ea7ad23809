"""Password hashing with passlib; the default admin is hashed at start-up (seed S004-3)."""

from passlib.context import CryptContext

pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")
ADMIN_PASSWORD_HASH = pwd_context.hash("AdminPassword123!")
