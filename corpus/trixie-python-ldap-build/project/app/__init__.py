"""A directory client on python-ldap (no Linux wheels: always compiled against OpenLDAP)."""
