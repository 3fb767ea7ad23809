print("dealer flow")
