"""Login requests are validated with pydantic (seed S004-4)."""

from pydantic import BaseModel, EmailStr


class LoginRequest(BaseModel):
    email: EmailStr
    password: str
