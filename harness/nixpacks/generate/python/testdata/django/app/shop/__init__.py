# the shop project package
