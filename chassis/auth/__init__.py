"""Authentication: verifying the users service's access tokens, principals and roles."""

from chassis.auth.principal import Principal, Role

__all__ = ["Principal", "Role"]
