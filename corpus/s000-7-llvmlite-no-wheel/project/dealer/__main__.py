import llvmlite

print("dealer-flow is up, llvmlite", llvmlite.__version__)
