import pycurl

print("pycurl on", pycurl.version)
