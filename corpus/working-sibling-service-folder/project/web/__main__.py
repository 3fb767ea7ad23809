print("web ready")
