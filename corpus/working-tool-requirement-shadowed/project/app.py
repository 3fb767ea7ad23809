import platformdirs

print("cache in", platformdirs.user_cache_dir("report"), "with platformdirs", platformdirs.__version__)
