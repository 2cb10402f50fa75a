print "legacy interpreter"
