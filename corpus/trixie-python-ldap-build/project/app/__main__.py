import ldap

print("app is up, python-ldap", ldap.__version__, "OpenLDAP", ldap.VENDOR_VERSION)
