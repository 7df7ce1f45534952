print("devbridge")
