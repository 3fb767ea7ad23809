import mimetypes

import six

mimetypes.init(["/etc/mime.types"])
print("report.pdf is", mimetypes.guess_type("report.pdf")[0], "six", six.__version__)
