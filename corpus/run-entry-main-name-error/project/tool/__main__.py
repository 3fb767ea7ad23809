from tool import GREETING

settings = Settings()  # the class was moved to tool.config; its import was lost in a refactor
print(GREETING, settings)
