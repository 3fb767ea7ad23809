import anyjson; print("up")
